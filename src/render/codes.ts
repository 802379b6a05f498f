/** Issue codes of the render stage. */
export const RENDER_CODES = {
  "render.issues_omitted": {
    severity: "warning",
    summary: "More issues than the result lists (100,000); the rest are counted, not shown.",
  },
  "render.max_per_file_over_engage": {
    severity: "warning",
    summary: "--max-per-file is above Engage's 20,000 assignments a file; Engage may refuse the files.",
  },
  "render.promotion_expired": {
    severity: "warning",
    summary: "A promotion whose validToDate is already past at render time (--timestamp, default now).",
  },
} as const;
