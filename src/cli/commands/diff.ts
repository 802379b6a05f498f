import { resolve } from "node:path";
import { DIFF_CATEGORIES, hasDifferences, type MatchField } from "../../diff/diff-entry.js";
import type { DiffReport } from "../../diff/diff-report.js";
import { DIFF_FORMATS, formatOfPath, formatReport, type DiffFormat } from "../../diff/format-report.js";
import { classifyExpectedPaths } from "../../diff/load-expected.js";
import { listExportFiles, readExports } from "../../diff/read-actual.js";
import { Reconciler } from "../../diff/reconciler.js";
import { checkReportFolder, writeReportFile, writeReportTo } from "../../diff/write-report.js";
import { loadProfile } from "../../profile/load-profile.js";
import { defineCommand } from "../command.js";
import { EXPORT_LIMIT_OPTIONS, exportLimitsFromArgs } from "../export-limits.js";
import { INPUT_OPTIONS, validateOptionsFromArgs } from "../input-options.js";
import { formatCount, plural } from "../../core/format-amount.js";
import { inputBytes } from "../input-bytes.js";
import { PROGRESS_OPTIONS } from "../progress-option.js";
import { loadExpectedWithProgress } from "../load-expected-progress.js";

export const diffCommand = defineCommand({
  command: "diff",
  describe:
    "Reconcile what was sent (render folders, manifests or input files) with Engage's promotion exports",
  options: {
    ...PROGRESS_OPTIONS,
    expected: {
      type: "string",
      array: true,
      demandOption: true,
      describe:
        "What was sent: render folders, manifest.json files or input files (CSV, JSON, NDJSON); older runs first",
    },
    actual: {
      type: "string",
      array: true,
      demandOption: true,
      describe: "Engage's export files, or folders of them (their *.xml files); read in file-name order",
    },
    format: {
      type: "string",
      choices: [...DIFF_FORMATS],
      describe: "Report format (default: from the --out extension, else text)",
    },
    out: { type: "string", describe: "Write the report to this file (default: stdout)" },
    match: {
      type: "string",
      choices: ["contactId", "contactKey"],
      default: "contactId",
      describe: "Pair on contactId, or on contactKey (the export's) with externalContactId (what was sent)",
    },
    "fail-on-diff": {
      type: "boolean",
      describe: "Exit 1 when anything is missing, mismatched, unexpected or deleted",
    },
    "show-personal-data": { type: "boolean", describe: "Show contact keys unmasked in the report" },
    profile: INPUT_OPTIONS.profile,
    kind: INPUT_OPTIONS.kind,
    columns: INPUT_OPTIONS.columns,
    timezone: INPUT_OPTIONS.timezone,
    ...EXPORT_LIMIT_OPTIONS,
  },
  examples: [
    [
      "engage-promo diff --expected out/2026-03-01 --actual exports/ --out diff.html",
      "Reconcile a render with every export in exports/, as HTML",
    ],
    [
      "engage-promo diff --expected out/a out/b --actual exports/ --format json --fail-on-diff",
      "Two runs, JSON on stdout, exit 1 on any difference",
    ],
  ],
  async run(args, ctx) {
    const limits = exportLimitsFromArgs(args);
    const profile = await loadProfile(args.profile, ctx.cwd);
    const validate = validateOptionsFromArgs(args, profile);
    const match = args.match as MatchField;
    const out = args.out !== undefined && args.out !== "" ? args.out : undefined;
    const format: DiffFormat =
      (args.format as DiffFormat | undefined) ??
      (out !== undefined ? formatOfPath(out) : undefined) ??
      "text";
    const expectedPaths = await classifyExpectedPaths(args.expected as string[], ctx.cwd);
    const exportFiles = await listExportFiles(args.actual as string[], ctx.cwd);
    if (out !== undefined) await checkReportFolder(out, ctx.cwd);

    const reconciler = new Reconciler({ match });
    const expected = await loadExpectedWithProgress(ctx, expectedPaths, { reconciler, validate });
    const actualProgress = ctx.progress({
      label: "exports",
      unit: "bytes",
      total: await inputBytes(exportFiles.files.map((f) => f.full)),
    });
    const actual = await readExports(exportFiles.files, {
      profile,
      ...limits,
      reconciler,
      onProgress: (n, bytes) => actualProgress.set(bytes, formatCount(n, "records")),
    });
    actualProgress.done();
    const result = reconciler.finish();

    const issues = [...expected.issues, ...exportFiles.issues, ...actual.issues, ...result.issues];
    const report: DiffReport = {
      match,
      counts: result.counts,
      expectedAssignments: result.expectedAssignments,
      exportRecords: result.exportRecords,
      sources: { expected: expected.sources, actual: actual.sources },
      issues,
      entries: (c) => result.entries(c),
      generatedAt: ctx.startedAt.toISOString(),
    };
    const chunks = formatReport(format, report, { showPersonalData: args.showPersonalData === true });
    const bytes =
      out !== undefined
        ? await writeReportFile(chunks, resolve(ctx.cwd, out), out)
        : writeReportTo(chunks, ctx.stdout);

    const counts = DIFF_CATEGORIES.map((c) => `${result.counts[c]} ${c}`).join(", ");
    ctx.log.info(
      `${counts} (${result.expectedAssignments} expected, ${plural(result.exportRecords, "export records")} in ${plural(exportFiles.files.length, "files")})`,
    );
    const errors = issues.some((i) => i.severity === "error");
    const differences = hasDifferences(result.counts);
    return {
      status: errors ? "invalid" : differences ? "differences" : "in-sync",
      exit: errors ? "invalid_data" : differences && args.failOnDiff === true ? "differences" : "ok",
      summary: {
        match,
        counts: result.counts,
        expected: {
          sources: expected.sources,
          assignments: result.expectedAssignments,
          rejected: expected.rejected,
        },
        actual: { files: exportFiles.files.length, records: result.exportRecords },
        report: { format, out: out ?? "stdout", bytes },
      },
      issues,
    };
  },
});
