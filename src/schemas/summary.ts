import * as z from "zod";

/** The `error` of a failed command's summary: the stable code and the message shown on stderr. */
export const SummaryErrorSchema = z.object({
  code: z.string().describe("A stable error code from the README's error-code table, e.g. transport.connection_lost"),
  message: z.string(),
});

/**
 * The one JSON summary every command prints (the last stdout line, or the last stderr line when
 * stdout holds the command's data, and `--summary-file`): the same top-level fields for every
 * command, counts beside them, command details nested below.
 */
export const SummarySchema = z
  .object({
    command: z.string().describe("The command word, or engage-promo when none was recognised"),
    status: z.string().describe("ok, invalid, differences, in-sync, dry-run, failed …"),
    exitCode: z.number().int().min(0).max(255),
    error: SummaryErrorSchema.optional().describe("Present when the command failed"),
    issues: z
      .object({ error: z.number().int(), warning: z.number().int() })
      .optional()
      .describe("Data problems by severity"),
    durationMs: z.number().int().min(0),
  })
  .catchall(z.unknown())
  .describe("Counts such as sent, skipped, failed, files, records sit at the top level; details (render, upload, report …) are nested objects");

/** A command's summary line. */
export type Summary = z.output<typeof SummarySchema>;
