/** Issue codes of the render stage. */
export const RENDER_CODES = {
  "render.issues_omitted": {
    severity: "warning",
    summary: "More issues than the result lists (100,000); the rest are counted, not shown.",
  },
} as const;
