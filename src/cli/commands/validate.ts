import { makeIssue, type Issue } from "../../core/issue.js";
import { MAX_ISSUES_KEPT } from "../../render/render-tally.js";
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
    // Millions of bad rows must not become one string too long to print: keep the first ones.
    const omitted = { error: 0, warning: 0 };
    let errors = false;
    const files: { file: string; kind: string; records: number }[] = [];
    const progress = ctx.progress({ label: "validate", unit: "rows" });
    for await (const batch of validateInputs(inputs, options)) {
      for (const event of batch) {
        if (event.type === "issue") {
          if (event.issue.severity === "error") errors = true;
          if (issues.length < MAX_ISSUES_KEPT) issues.push(event.issue);
          else omitted[event.issue.severity] += 1;
        } else if (event.type === "input-done")
          files.push({ file: event.file, kind: event.kind, records: event.records });
        else tallyEvent(counts, event);
      }
      progress.set(counts.read);
    }
    progress.done();
    const left = omitted.error + omitted.warning;
    if (left > 0)
      issues.push(
        makeIssue(
          "validate.issues_omitted",
          `${left} more issues are not listed (errors: ${omitted.error}, warnings: ${omitted.warning}); fix the ones listed and run again`,
          { file: issues[issues.length - 1]?.file ?? "" },
        ),
      );
    return {
      status: errors ? "invalid" : "ok",
      exit: errors ? "invalid_data" : "ok",
      summary: { counts, inputs: files, ...(left > 0 ? { issuesOmitted: omitted } : {}) },
      issues,
    };
  },
});
