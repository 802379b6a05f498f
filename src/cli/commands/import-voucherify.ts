import { unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { dataFormatOfPath } from "../../core/data-format.js";
import { EngageError } from "../../core/errors.js";
import type { Issue } from "../../core/issue.js";
import { loadMapping } from "../../import/load-mapping.js";
import { decideImport, RedemptionPlanner, type PlannedRedemption } from "../../import/plan-redemptions.js";
import type { RedemptionRow } from "../../schemas/voucherify-mapping.js";
import { readVoucherify } from "../../import/read-voucherify.js";
import { redemptionPieces } from "../../import/redemptions-file.js";
import { interpretRecord } from "../../import/voucherify-record.js";
import { assertReadable, formatOfFile } from "../../read/open-input.js";
import type { ReadStats } from "../../read/raw-row.js";
import { renderRejectsCsv } from "../../render/rejects-csv.js";
import { writeFileAtomic } from "../../transport/atomic-write.js";
import { defineCommand } from "../command.js";
import { PROGRESS_OPTIONS } from "../progress-option.js";
import { csvDecodeOptionsFromArgs, INPUT_OPTIONS, inputPaths, parseCount } from "../input-options.js";

/** The source systems `import` reads; each is a word after `import`, so more can join. */
const SOURCES = ["voucherify"] as const;

function* rowsOf(planned: readonly PlannedRedemption[]): Generator<RedemptionRow> {
  for (const p of planned) yield p.row;
}

/** `out/redemptions.csv` → `out/redemptions.rejects.csv`. */
export function rejectsPathOf(out: string): string {
  const name = basename(out);
  const dot = name.lastIndexOf(".");
  return join(dirname(out), `${dot > 0 ? name.slice(0, dot) : name}.rejects.csv`);
}

async function writeOutput(path: string, text: string | Iterable<string>): Promise<void> {
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new EngageError(
      "output_failed",
      "import.output_unwritable",
      `${path}: cannot be written (${code})`,
      {
        cause: error,
      },
    );
  }
}

export const importVoucherifyCommand = defineCommand({
  command: "import <source> <input>",
  describe: "Turn another system's redemption history (Voucherify) into a redemptions file for api redeem",
  positionals: {
    source: { type: "string", choices: SOURCES, describe: "The system the redemptions come from" },
    input: {
      type: "string",
      describe: "Voucherify redemptions: JSON array or list response, NDJSON, or CSV export",
    },
  },
  options: {
    ...PROGRESS_OPTIONS,
    map: {
      type: "string",
      demandOption: true,
      describe: "Mapping file (JSON, schemas/voucherify-mapping.schema.json): tiers, customers, channels",
    },
    out: {
      type: "string",
      demandOption: true,
      describe: "Redemptions file to write; .csv (;), .ndjson or .json by its extension",
    },
    encoding: INPUT_OPTIONS.encoding,
    "max-field-bytes": INPUT_OPTIONS["max-field-bytes"],
    "max-rejects": {
      type: "string",
      describe:
        "Leave out up to N rejected redemptions (written to <out>.rejects.csv) instead of failing (default 0)",
    },
    format: {
      type: "string",
      choices: ["text", "json"],
      describe: "Issues as text on stderr (default) or JSON on stdout",
    },
  },
  issuesFormatOption: "format",
  examples: [
    [
      "engage-promo import voucherify redemptions.ndjson --map mapping.json --out redemptions.csv",
      "Write the successful, not rolled-back redemptions for api redeem",
    ],
  ],
  async run(args, ctx) {
    const [input] = inputPaths([args.input as string], ctx.cwd);
    const out = resolve(ctx.cwd, args.out);
    const format = dataFormatOfPath(out);
    if (format === undefined)
      throw new EngageError(
        "usage",
        "cli.usage",
        `--out ${args.out}: expected a file name ending in .csv, .ndjson or .json, got another extension`,
      );
    if (resolve(input!) === out)
      throw new EngageError("usage", "cli.usage", `--out ${args.out}: expected a file other than the input`);
    const maxRejects = parseCount("max-rejects", args.maxRejects as string | undefined, 0);
    const mapping = await loadMapping(args.map, ctx.cwd);
    await assertReadable(input!);

    const planner = new RedemptionPlanner(mapping);
    const fileIssues: Issue[] = [];
    const stats: ReadStats = { sha256: "", records: 0 };
    const progress = ctx.progress({ label: "import", unit: "records" });
    const inputFormat = await formatOfFile(input!);
    for await (const batch of readVoucherify(input!, inputFormat, stats, csvDecodeOptionsFromArgs(args))) {
      for (const issue of batch.issues) fileIssues.push(issue);
      for (const record of batch.records) planner.add(interpretRecord(record));
      progress.set(stats.records);
    }
    progress.done();
    const plan = planner.finish();
    const decision = decideImport(plan, fileIssues, maxRejects);
    const rejectsFile = rejectsPathOf(out);
    const summary: Record<string, unknown> = {
      source: args.source,
      input,
      inputFormat,
      out,
      format,
      sha256: stats.sha256,
      counts: plan.counts,
      written: decision.write,
    };
    if (!decision.write) {
      ctx.log.error(
        "rejected redemptions: nothing written (see the issues above; --max-rejects N leaves up to N out)",
      );
      return { status: "invalid", exit: "invalid_data", summary, issues: decision.issues };
    }
    // rejects first, so an output under its final name always has its rejects beside it
    if (plan.rejects.length > 0) {
      await writeOutput(rejectsFile, renderRejectsCsv(plan.rejects));
      summary.rejectsFile = rejectsFile;
    } else {
      // a rejects file of an earlier run would speak of rows this run wrote
      await unlink(rejectsFile).catch(() => undefined);
    }
    await writeOutput(out, redemptionPieces(rowsOf(plan.rows), format));
    ctx.log.info(`wrote ${plan.rows.length} redemption(s) to ${out}`);
    return { status: "ok", exit: "ok", summary, issues: decision.issues };
  },
});
