/** Issue codes of the render stage. */
export const RENDER_CODES = {} as const;
