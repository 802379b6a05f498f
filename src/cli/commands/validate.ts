import type { Issue } from "../../core/issue.js";
import { loadProfile } from "../../profile/load-profile.js";
import { validateInputs } from "../../validate/validate-inputs.js";
import { defineCommand } from "../command.js";
import { INPUT_OPTIONS, inputPaths, validateOptionsFromArgs } from "../input-options.js";
import { newRowCounts } from "../../core/row-counts.js";
import { tallyEvent } from "../input-counts.js";

export const validateCommand = defineCommand({
  command: "validate <inputs..>",
  describe:
    "Check definition and assignment files (CSV, JSON, NDJSON) and report every problem; writes nothing",
  positionals: { inputs: { type: "string", array: true, describe: "Input files" } },
  options: { ...INPUT_OPTIONS },
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
    const counts = newRowCounts();
    const issues: Issue[] = [];
    const files: { file: string; kind: string; records: number }[] = [];
    const progress = ctx.progress({ label: "validate", unit: "rows" });
    for await (const batch of validateInputs(inputs, options)) {
      for (const event of batch) {
        if (event.type === "issue") issues.push(event.issue);
        else if (event.type === "input-done")
          files.push({ file: event.file, kind: event.kind, records: event.records });
        else tallyEvent(counts, event);
      }
      progress.set(counts.read);
    }
    progress.done();
    const errors = issues.some((i) => i.severity === "error");
    return {
      status: errors ? "invalid" : "ok",
      exit: errors ? "invalid_data" : "ok",
      summary: { counts, inputs: files },
      issues,
    };
  },
});
