import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Issue } from "../../core/issue.js";
import { parseExportFile } from "../../parse/parse-export.js";
import { DATA_FORMATS, dataFormatOfPath } from "../../core/data-format.js";
import { createRecordFormatter, type RecordFormat } from "../../parse/format-records.js";
import { createJsonBytes } from "../../parse/json-bytes.js";
import { openRecordFile, stdoutOutput, type RecordOutput } from "../../parse/record-output.js";
import { loadProfile } from "../../profile/load-profile.js";
import type { ExportKind } from "../../schemas/export-record.js";
import { formatCount } from "../../core/format-amount.js";
import { defineCommand } from "../command.js";
import { EXPORT_LIMIT_OPTIONS, exportLimitsFromArgs } from "../export-limits.js";
import { unreadable } from "../../read/input-errors.js";
import { inputBytes } from "../input-bytes.js";
import { PROGRESS_OPTIONS } from "../progress-option.js";

// Every input is checked before the first is read: a typo in the last path should not cost
// a long parse of the ones before it.
async function checkInputs(paths: readonly string[], cwd: string): Promise<void> {
  for (const path of paths) {
    let isFile: boolean;
    try {
      isFile = (await stat(resolve(cwd, path))).isFile();
    } catch (error) {
      throw unreadable(path, error);
    }
    // The same code as every other command for a folder given as an input file.
    if (!isFile) throw unreadable(path, Object.assign(new Error("is a directory"), { code: "EISDIR" }));
  }
}

export const parseCommand = defineCommand({
  command: "parse <exports..>",
  describe: "Read Engage promotion export XML into typed records (JSON, NDJSON or CSV)",
  positionals: { exports: { type: "string", array: true, describe: "Export XML files" } },
  options: {
    ...PROGRESS_OPTIONS,
    format: {
      type: "string",
      choices: [...DATA_FORMATS],
      describe: "Output format (default: from the --out extension, else json)",
    },
    out: { type: "string", describe: "Write the records to this file (default: stdout)" },
    profile: {
      type: "string",
      describe: "Format profile (JSON) naming the export's fields as a tenant's XSLT renamed them",
    },
    ...EXPORT_LIMIT_OPTIONS,
  },
  examples: [
    ["engage-promo parse exports/20260310120000_redeemed.xml", "Print the records as a JSON array"],
    ["engage-promo parse exports/*.xml --out records.csv", "Write every record as semicolon CSV"],
    [
      "engage-promo parse big.xml --format ndjson --out big.ndjson --profile tenant.json",
      "A renamed export, one record per line",
    ],
  ],
  async run(args, ctx) {
    const paths = (args.exports as string[] | undefined) ?? [];
    const format: RecordFormat =
      (args.format as RecordFormat | undefined) ??
      (args.out === undefined ? undefined : dataFormatOfPath(args.out)) ??
      "json";
    const limits = exportLimitsFromArgs(args);
    const profile = await loadProfile(args.profile, ctx.cwd);
    await checkInputs(paths, ctx.cwd);

    const output: RecordOutput =
      args.out === undefined
        ? stdoutOutput((text) => ctx.stdout(text))
        : await openRecordFile(resolve(ctx.cwd, args.out), args.out);
    const formatter = createRecordFormatter(format);
    const kinds: Record<ExportKind, number> = { assigned: 0, redeemed: 0, deleted: 0 };
    // NDJSON is written by the parser itself, from the export's bytes: no record objects.
    const ndjson =
      format === "ndjson" ? { out: createJsonBytes((bytes) => output.writeBytes(bytes)), kinds } : undefined;
    const issues: Issue[] = [];
    let records = 0;
    let failedFiles = 0;
    const full = paths.map((p) => resolve(ctx.cwd, p));
    const progress = ctx.progress({ label: "parse", unit: "bytes", total: await inputBytes(full) });
    let bytes = 0;
    const written = (): number => kinds.assigned + kinds.redeemed + kinds.deleted;
    try {
      await output.write(formatter.start());
      for (const path of paths) {
        let fileFailed = false;
        for await (const batch of parseExportFile(resolve(ctx.cwd, path), {
          profile,
          displayPath: path,
          ...limits,
          ...(ndjson === undefined ? {} : { ndjson }),
          onRead: (n) => {
            bytes += n;
            if (ndjson !== undefined) progress.set(bytes, formatCount(written(), "records"));
          },
        })) {
          const batchRecords = [];
          for (const event of batch) {
            if (event.type === "record") {
              batchRecords.push(event.record);
              kinds[event.record.kind] += 1;
            } else {
              issues.push(event.issue);
              if (event.issue.severity === "error") fileFailed = true;
            }
          }
          if (batchRecords.length > 0) {
            await output.write(formatter.format(batchRecords));
            records += batchRecords.length;
            progress.set(bytes, formatCount(records, "records"));
          }
        }
        if (fileFailed) failedFiles += 1;
      }
      ndjson?.out.flush();
      if (ndjson !== undefined) records = written();
      await output.write(formatter.end());
      await output.commit();
    } catch (error) {
      await output.discard();
      throw error;
    }
    progress.done();

    // Records read before a fatal problem are written too (they are well-formed), but the run
    // still exits 65: the export as a whole was not read.
    const invalid = failedFiles > 0;
    ctx.log.info(
      `${records} record${records === 1 ? "" : "s"} from ${paths.length} file${paths.length === 1 ? "" : "s"}` +
        (args.out === undefined ? "" : ` written to ${args.out}`) +
        (invalid ? `; ${failedFiles} file${failedFiles === 1 ? "" : "s"} with errors` : ""),
    );
    const summary: Record<string, unknown> = {
      files: paths.length,
      filesWithErrors: failedFiles,
      records,
      kinds,
      format,
    };
    if (args.out !== undefined) summary.out = args.out;
    return { status: invalid ? "invalid" : "ok", exit: invalid ? "invalid_data" : "ok", summary, issues };
  },
});
