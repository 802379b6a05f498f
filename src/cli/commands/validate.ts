import { loadProfile } from "../../profile/load-profile.js";
import { RenderTally } from "../../render/render-tally.js";
import { validateInputs } from "../../validate/validate-inputs.js";
import { defineCommand } from "../command.js";
import { PROGRESS_OPTIONS } from "../progress-option.js";
import { inputBytes } from "../input-bytes.js";
import { INPUT_OPTIONS, inputPaths, validateOptionsFromArgs } from "../input-options.js";
import { formatCount } from "../../core/format-amount.js";

export const validateCommand = defineCommand({
  command: "validate <inputs..>",
  describe:
    "Check definition and assignment files (CSV, JSON, NDJSON) and report every problem; writes nothing",
  positionals: { inputs: { type: "string", array: true, describe: "Input files" } },
  options: { ...PROGRESS_OPTIONS, ...INPUT_OPTIONS },
  issuesFormatOption: "format",
  examples: [
    [
      "engage-promo validate definitions.csv assignments.csv",
      "Check two files; issues on stderr, summary on stdout",
    ],
  ],
  async run(args, ctx) {
    const profile = await loadProfile(args.profile, ctx.cwd);
    const options = validateOptionsFromArgs(args, profile);
    const inputs = inputPaths((args.inputs as string[] | undefined) ?? [], ctx.cwd);
    // The same bookkeeping as render's: the counts and the status come from the same events;
    // validate writes no rejects file, so the rejected rows' values are not kept.
    const tally = new RenderTally(Number.MAX_SAFE_INTEGER, false);
    const files: { file: string; kind: string; records: number }[] = [];
    const progress = ctx.progress({ label: "validate", unit: "bytes", total: await inputBytes(inputs) });
    let bytes = 0;
    options.onBytes = (n) => (bytes = n);
    for await (const batch of validateInputs(inputs, options)) {
      for (const event of batch) {
        if (event.type === "issue") tally.issue(event.issue);
        else if (event.type === "promotion") tally.promotion(true);
        else if (event.type === "assignment") tally.assignment();
        else if (event.type === "rejected") tally.rejected(event);
        else {
          if (event.type === "input-done")
            files.push({ file: event.file, kind: event.kind, records: event.records });
          tally.otherEvent();
        }
      }
      progress.set(bytes, formatCount(tally.counts.read, "rows"));
    }
    progress.done();
    const issues = tally.report("validate.issues_omitted");
    const filesWithErrors = tally.filesWithErrors().length;
    const invalid = tally.counts.rejected > 0 || filesWithErrors > 0;
    const omitted = tally.issuesOmitted;
    const left = omitted.error + omitted.warning;
    return {
      status: invalid ? "invalid" : "ok",
      exit: invalid ? "invalid_data" : "ok",
      summary: {
        counts: tally.counts,
        filesWithErrors,
        inputs: files,
        ...(left > 0 ? { issuesOmitted: omitted } : {}),
      },
      issues,
    };
  },
});
