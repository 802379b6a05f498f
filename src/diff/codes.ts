/** Issue codes of the reconcile stage. */
export const DIFF_CODES = {
  "diff.expected_unreadable": {
    severity: "error",
    summary: "An expected source (manifest, render folder or input) that cannot be used.",
  },
  "diff.manifest_key_invalid": {
    severity: "error",
    summary: "A line of manifest.keys.ndjson that is not one assignment's keys.",
  },
  "diff.manifest_keys_changed": {
    severity: "error",
    summary: "manifest.keys.ndjson differs from the checksum or line count its manifest recorded.",
  },
  "diff.expected_duplicate": {
    severity: "warning",
    summary: "Two different promotion codes for the same promotion and contact; the later one is compared.",
  },
  "diff.expected_unmatchable": {
    severity: "warning",
    summary:
      "Expected assignments without the contact field --match uses; diff counts them as missing, api check cannot check them.",
  },
  "diff.expected_empty": {
    severity: "warning",
    summary: "--expected holds no assignment (only definitions?); every export record shows as unexpected.",
  },
  "diff.actual_unreadable": { severity: "error", summary: "An export file that cannot be read." },
  "diff.actual_empty": { severity: "warning", summary: "An export folder without a single .xml file." },
  "diff.actual_unkeyed": {
    severity: "warning",
    summary:
      "Export records without externalPromotionId or the contact field --match uses; listed as unexpected.",
  },
} as const;
