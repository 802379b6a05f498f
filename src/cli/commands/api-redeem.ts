import { resolve } from "node:path";
import { makeIssue, type Issue } from "../../core/issue.js";
import { readApiRows } from "../../api/read-api-rows.js";
import { readJournal, Journal, type JournalEntry } from "../../api/journal.js";
import { RedeemBatch, redemptionKey, type RedemptionRow } from "../../api/redeem-batch.js";
import { RedemptionInputSchema } from "../../schemas/redemption-input.js";
import type { CommandContext, CommandOutcome } from "../command.js";
import { apiSetup } from "./api-options.js";
import { csvDecodeOptionsFromArgs } from "../input-options.js";

const FIELDS = Object.keys(RedemptionInputSchema.shape);

/** Reads, validates and redeems a redemptions file; the journal beside it is the report's source. */
export async function runApiRedeem(
  args: Record<string, unknown>,
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const file = resolve(ctx.cwd, String(args.input));
  const setup = apiSetup(args, ctx.cwd, ctx.env);
  const read = await readApiRows(file, FIELDS, csvDecodeOptionsFromArgs(args));
  const issues: Issue[] = [...read.issues];
  const rows: RedemptionRow[] = [];
  const seen = new Map<string, number>();
  for (const raw of read.rows) {
    const parsed = RedemptionInputSchema.safeParse(raw.values);
    if (!parsed.success) {
      for (const z of parsed.error.issues)
        issues.push(
          makeIssue("api.row_invalid", `${z.path.join(".") || "record"}: ${z.message}`, {
            ...raw.at,
            field: z.path.join("."),
          }),
        );
      continue;
    }
    const input = parsed.data;
    if (
      input.id === undefined &&
      (input.externalPromotionId === undefined || input.contactId === undefined)
    ) {
      issues.push(
        makeIssue(
          "api.row_target_missing",
          "record: expected id, or externalPromotionId with contactId",
          raw.at,
        ),
      );
      continue;
    }
    const key = redemptionKey(input);
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push(
        makeIssue(
          "api.row_duplicate",
          `record: the same assignment as line ${first}; only the first is sent`,
          raw.at,
        ),
      );
      continue;
    }
    seen.set(key, raw.at.line ?? 0);
    rows.push({ key, record: raw.at.record ?? 0, line: raw.at.line, input });
  }
  const journalPath = resolve(
    ctx.cwd,
    typeof args.journal === "string" ? args.journal : `${file}.journal.ndjson`,
  );
  const previous = await readJournal(journalPath);
  if (previous.badLines > 0)
    issues.push(
      makeIssue("api.journal_line_invalid", `${previous.badLines} journal line(s) cannot be read; ignored`, {
        file: journalPath,
      }),
    );
  // With no row to send (every one refused above), no journal is created beside the input.
  let outcomes = new Map<string, JournalEntry>();
  let batch: RedeemBatch | undefined;
  if (rows.length > 0) {
    const journal = await Journal.open(journalPath);
    batch = new RedeemBatch(setup.client, journal, {
      concurrency: setup.concurrency,
      deadlineAt: setup.deadlineAt,
      log: ctx.log,
    });
    try {
      outcomes = await batch.run(rows, previous.last);
    } finally {
      await journal.close();
    }
  }
  const counts: Record<string, number> = {
    redeemed: 0,
    alreadyRedeemed: 0,
    confirmedOnRetry: 0,
    confirmedByRead: 0,
    failed: 0,
    unknown: 0,
    notSent: 0,
  };
  for (const row of rows) {
    const e = outcomes.get(row.key) ?? previous.last.get(row.key);
    const at =
      row.line === undefined ? { file, record: row.record } : { file, line: row.line, record: row.record };
    const state = batch?.open.has(row.key)
      ? (batch.open.get(row.key)?.state ?? "not_sent")
      : (e?.state ?? "not_sent");
    if (state === "redeemed") counts.redeemed! += 1;
    else if (state === "already_redeemed") counts.alreadyRedeemed! += 1;
    else if (state === "confirmed_on_retry") counts.confirmedOnRetry! += 1;
    else if (state === "confirmed_by_read") counts.confirmedByRead! += 1;
    else if (state === "failed") {
      counts.failed! += 1;
      const what = e?.code ?? (e?.body === undefined ? "" : `body ${JSON.stringify(e.body)}`);
      const code = e?.code === "AssignmentNotFound" ? "api.assignment_not_found" : "api.rejected";
      issues.push(makeIssue(code, `redeem: Engage answered ${e?.httpStatus ?? "-"} ${what}`.trim(), at));
    } else if (state === "unknown") {
      counts.unknown! += 1;
      issues.push(makeIssue("api.outcome_unknown", "redeem: outcome unknown; re-run to read it back", at));
    } else {
      counts.notSent! += 1;
      issues.push(
        makeIssue("api.not_sent", "redeem: not sent (deadline or Engage unavailable); re-run to send", at),
      );
    }
  }
  const rowErrors = issues.some(
    (i) => i.severity === "error" && !["api.outcome_unknown", "api.not_sent"].includes(i.code),
  );
  const open = counts.unknown! + counts.notSent!;
  const status = open > 0 ? "unavailable" : rowErrors ? "failed-rows" : "ok";
  ctx.log.info(
    `redeemed ${counts.redeemed}, already ${counts.alreadyRedeemed}, failed ${counts.failed}, open ${open}`,
  );
  return {
    status,
    exit: open > 0 ? "remote_unavailable" : rowErrors ? "invalid_data" : "ok",
    summary: { input: file, journal: journalPath, rows: rows.length, sentThisRun: outcomes.size, ...counts },
    issues,
  };
}
