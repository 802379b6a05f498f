/** Issue codes of the reconcile stage. */
export const DIFF_CODES = {
  "diff.expected_unreadable": { severity: "error", summary: "An expected source (manifest, render folder or input) that cannot be used." },
} as const;
