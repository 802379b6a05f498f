import { defineCommand } from "../command.js";
import { INPUT_OPTIONS } from "../input-options.js";
import { RENDER_OPTIONS, renderJob, renderSummary } from "../render-job.js";
import { plural } from "../../core/format-amount.js";
import { PROGRESS_OPTIONS } from "../progress-option.js";

export const renderCommand = defineCommand({
  command: "render <inputs..>",
  describe: "Validate inputs and write Engage import XML files, chunked, with manifest.json",
  positionals: { inputs: { type: "string", array: true, describe: "Input files (CSV, JSON, NDJSON)" } },
  options: {
    ...PROGRESS_OPTIONS,
    ...INPUT_OPTIONS,
    ...RENDER_OPTIONS,
    out: { type: "string", demandOption: true, describe: "Output folder" },
    overwrite: { type: "boolean", describe: "Replace an earlier, different render in --out" },
  },
  issuesFormatOption: "format",
  examples: [
    [
      "engage-promo render defs.csv assignments.csv --out out/",
      "Write import XML and manifest.json into out/",
    ],
    [
      "engage-promo render a.csv --out out/ --max-rejects 100",
      "Leave out up to 100 invalid rows (see rejects.csv)",
    ],
  ],
  async run(args, ctx) {
    const result = await renderJob({ ...args, inputs: (args.inputs as string[] | undefined) ?? [] }, ctx);
    const rejected = result.status === "rejected";
    if (!rejected)
      ctx.log.info(
        `${result.status === "unchanged" ? "unchanged" : "wrote"} ${plural(result.files.length, "files")} in ${result.outDir}`,
      );
    else
      ctx.log.error(
        "invalid rows: no file written (see the issues above; --max-rejects N leaves up to N rows out)",
      );
    return {
      status: rejected ? "invalid" : "ok",
      exit: rejected ? "invalid_data" : "ok",
      summary: renderSummary(result),
      issues: result.issues,
    };
  },
});
