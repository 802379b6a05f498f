import { resolve } from "node:path";
import * as z from "zod";
import { makeIssue, type Issue } from "../../core/issue.js";
import { assignRows, type AssignRow } from "../../api/assign-batch.js";
import { readApiRows } from "../../api/read-api-rows.js";
import type { CommandContext, CommandOutcome } from "../command.js";
import { apiSetup } from "./api-options.js";
import { csvDecodeOptionsFromArgs } from "../input-options.js";

/** A row of `api assign`: the contact, and the promotion by Engage id or external id. */
const ApiAssignRowSchema = z.object({
  contactId: z.guid(),
  promotionId: z.guid().optional(),
  externalPromotionId: z.string().min(1).max(450).optional(),
});

/** Assigns the rows of an assignments file over the API. */
export async function runApiAssign(
  args: Record<string, unknown>,
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const file = resolve(ctx.cwd, String(args.input));
  const setup = apiSetup(args, ctx.cwd, ctx.env);
  const read = await readApiRows(file, Object.keys(ApiAssignRowSchema.shape), csvDecodeOptionsFromArgs(args));
  const issues: Issue[] = [...read.issues];
  const rows: AssignRow[] = [];
  for (const raw of read.rows) {
    const parsed = ApiAssignRowSchema.safeParse(raw.values);
    if (!parsed.success) {
      for (const z of parsed.error.issues)
        issues.push(makeIssue("api.row_invalid", `${z.path.join(".") || "record"}: ${z.message}`, raw.at));
      continue;
    }
    if (parsed.data.promotionId === undefined && parsed.data.externalPromotionId === undefined) {
      issues.push(
        makeIssue("api.row_target_missing", "record: expected promotionId or externalPromotionId", raw.at),
      );
      continue;
    }
    rows.push({ record: raw.at.record ?? 0, line: raw.at.line, ...parsed.data });
  }
  const outcomes = await assignRows(setup.client, rows, {
    concurrency: setup.concurrency,
    deadlineAt: setup.deadlineAt,
  });
  let assigned = 0;
  let failed = 0;
  let unknown = 0;
  for (const o of outcomes) {
    const at =
      o.row.line === undefined
        ? { file, record: o.row.record }
        : { file, line: o.row.line, record: o.row.record };
    if (o.state === "assigned") assigned += 1;
    else if (o.state === "failed") {
      failed += 1;
      const what = o.code ?? o.message ?? (o.body === undefined ? "" : `body ${JSON.stringify(o.body)}`);
      issues.push(
        makeIssue("api.rejected", `assign: Engage answered ${o.httpStatus ?? "-"} ${what}`.trim(), at),
      );
    } else {
      unknown += 1;
      issues.push(
        makeIssue(
          "api.outcome_unknown",
          `assign: ${o.message ?? `HTTP ${o.httpStatus ?? "-"}`}; check the contact before re-sending`,
          at,
        ),
      );
    }
  }
  const rowErrors = issues.some((i) => i.severity === "error" && i.code !== "api.outcome_unknown");
  return {
    status: unknown > 0 ? "unavailable" : rowErrors ? "failed-rows" : "ok",
    exit: unknown > 0 ? "remote_unavailable" : rowErrors ? "invalid_data" : "ok",
    summary: { input: file, rows: rows.length, assigned, failed, unknown },
    issues,
  };
}
