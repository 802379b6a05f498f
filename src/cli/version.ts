/** The version written into manifests and printed by --version. */
export const TOOL_VERSION = "0.1.0";
