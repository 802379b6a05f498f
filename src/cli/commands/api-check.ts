import { resolve } from "node:path";
import { EngageError } from "../../core/errors.js";
import { makeIssue, type Issue } from "../../core/issue.js";
import { readNamedFile } from "../../core/read-named-file.js";
import { recordOfApiAssignment } from "../../api/api-assignment.js";
import { parseContactsFile } from "../../api/contacts-file.js";
import { checkApiUrl } from "../../api/engage-client.js";
import { readContacts } from "../../api/read-contacts.js";
import { DEFAULT_SAMPLE_SEED, sampleContacts } from "../../api/sample-contacts.js";
import { DIFF_CATEGORIES, hasDifferences } from "../../diff/diff-entry.js";
import type { CheckInfo, DiffReport } from "../../diff/diff-report.js";
import { formatOfPath, formatReport, type DiffFormat } from "../../diff/format-report.js";
import { classifyExpectedPaths } from "../../diff/load-expected.js";
import { Reconciler } from "../../diff/reconciler.js";
import { checkReportFolder, writeReportFile, writeReportTo } from "../../diff/write-report.js";
import { loadProfile } from "../../profile/load-profile.js";
import { plural } from "../../core/format-amount.js";
import type { CommandContext, CommandOutcome } from "../command.js";
import { parseCount, parseTimestamp, validateOptionsFromArgs } from "../input-options.js";
import { apiSetup } from "./api-options.js";
import { loadExpectedWithProgress } from "../load-expected-progress.js";

/** Contacts checked when neither `--contacts` nor `--contacts-file` is given. */
export const DEFAULT_CHECK_CONTACTS = 100;

/**
 * The check time and its calendar day: `--timestamp` as written (its own offset names the day),
 * else now, on the UTC calendar.
 */
function checkTime(text: unknown, now: Date): { at: string; day: string } {
  if (typeof text === "string" && text !== "") {
    parseTimestamp(text, now);
    return { at: text, day: text.slice(0, 10) };
  }
  const at = now.toISOString();
  return { at, day: at.slice(0, 10) };
}

/**
 * `api check`: reads the promotions of a sample of the contacts sent from Engage's API and
 * reconciles them with what was sent, through the diff engine and its reports.
 */
export async function runApiCheck(
  args: Record<string, unknown>,
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const expectedArgs = Array.isArray(args.expected)
    ? (args.expected as unknown[]).map(String)
    : typeof args.expected === "string"
      ? [args.expected]
      : [];
  if (expectedArgs.length === 0)
    throw new EngageError(
      "usage",
      "cli.usage",
      "api check: expected --expected <render folders | manifests | inputs>",
    );
  const listed =
    typeof args.contactsFile === "string" && args.contactsFile !== "" ? args.contactsFile : undefined;
  if (listed !== undefined && args.contacts !== undefined)
    throw new EngageError(
      "usage",
      "cli.conflicting_options",
      "--contacts and --contacts-file exclude each other",
    );
  const sampleSize = parseCount("contacts", args.contacts as string | undefined, DEFAULT_CHECK_CONTACTS, 1);
  const seed = parseCount("seed", args.seed as string | undefined, DEFAULT_SAMPLE_SEED, 0);
  const time = checkTime(args.timestamp, new Date());
  const out = typeof args.out === "string" && args.out !== "" ? args.out : undefined;
  const format: DiffFormat =
    (args.format as DiffFormat | undefined) ?? (out !== undefined ? formatOfPath(out) : undefined) ?? "text";
  const setup = apiSetup(args, ctx.cwd, ctx.env);
  const url = checkApiUrl(String(args.apiUrl));
  const profile = await loadProfile(args.profile as string | undefined, ctx.cwd);
  const validate = validateOptionsFromArgs(args, profile);
  const expectedPaths = await classifyExpectedPaths(expectedArgs, ctx.cwd);
  if (out !== undefined) await checkReportFolder(out, ctx.cwd);

  const listIssues: Issue[] = [];
  let listedContacts: string[] | undefined;
  if (listed !== undefined) {
    const text = await readNamedFile(resolve(ctx.cwd, listed), `--contacts-file ${listed}:`, {
      kind: "input_missing",
      code: "api.contacts_file_unreadable",
    });
    const parsed = parseContactsFile(text, listed);
    listedContacts = parsed.contacts;
    for (const issue of parsed.issues) listIssues.push(issue);
  }

  const reconciler = new Reconciler({ match: "contactId", checkDay: time.day });
  const expected = await loadExpectedWithProgress(ctx, expectedPaths, { reconciler, validate });
  // loops and concat, not spreads: a list of 200,000 issues would overflow the call stack
  const issues: Issue[] = expected.issues.concat(listIssues);

  const sent = reconciler.expectedContacts();
  const contacts = listedContacts ?? sampleContacts(sent, sampleSize, seed);
  if (listedContacts !== undefined) {
    const known = new Set(sent);
    for (const c of listedContacts)
      if (!known.has(c))
        issues.push(
          makeIssue(
            "api.contact_not_sent",
            `contact ${c}: no assignment of it in --expected; whatever Engage shows for it is unexpected`,
            { file: listed! },
          ),
        );
  }
  if (contacts.length === 0)
    issues.push(
      makeIssue(
        "api.check_empty",
        listed !== undefined
          ? "--contacts-file lists no contact: nothing is checked"
          : "--expected holds no assignment with a contactId: nothing is checked",
        { file: listed ?? expectedArgs[0]! },
      ),
    );

  const readProgress = ctx.progress({ label: "contacts", unit: "contacts", total: contacts.length });
  let reads: Awaited<ReturnType<typeof readContacts>>;
  try {
    reads = await readContacts(setup.client, contacts, {
      concurrency: setup.concurrency,
      deadlineAt: setup.deadlineAt,
      log: ctx.log,
      onProgress: (n) => readProgress.set(n),
    });
  } finally {
    setup.client.close();
  }
  readProgress.done();

  const checked = new Set<string>();
  let assignmentsRead = 0;
  let unread = 0;
  const where = { file: `${url.protocol}//${url.host}/api/v3/promotion-assignments` };
  for (const contactId of contacts) {
    const read = reads.get(contactId)!;
    const call = `GET /api/v3/promotion-assignments?contactId=${contactId}`;
    if (read.kind === "read") {
      checked.add(contactId);
      read.assignments.forEach((a, i) => {
        reconciler.addRecord(recordOfApiAssignment(contactId, a, i + 1, call));
        assignmentsRead += 1;
      });
    } else if (read.kind === "refused") {
      const what = read.code ?? (read.body === undefined ? "" : `body ${JSON.stringify(read.body)}`);
      issues.push(
        makeIssue(
          "api.contact_refused",
          `contact ${contactId}: Engage answered ${read.status === 200 ? "200 without a list" : `${read.status} ${what}`.trim()}; its assignments are not compared`,
          where,
        ),
      );
    } else {
      unread += 1;
      issues.push(
        makeIssue(
          "api.contact_not_read",
          `contact ${contactId}: ${read.kind === "unavailable" ? `not read (${read.message}) after every retry` : "not read, the deadline had passed"}; not compared, a re-run reads it`,
          where,
        ),
      );
    }
  }
  reconciler.restrictTo(checked);
  const result = reconciler.finish();
  for (const issue of result.issues) issues.push(issue);

  const check: CheckInfo = {
    at: time.at,
    contacts: checked.size,
    sample: listed !== undefined ? { kind: "file", path: listed } : { kind: "random", seed, of: sent.length },
  };
  const report: DiffReport = {
    match: "contactId",
    counts: result.counts,
    expectedAssignments: result.expectedAssignments,
    exportRecords: result.exportRecords,
    sources: {
      expected: expected.sources,
      actual: [{ path: where.file, kind: "api", count: assignmentsRead }],
    },
    issues,
    entries: (c) => result.entries(c),
    check,
    generatedAt: ctx.startedAt.toISOString(),
  };
  const chunks = formatReport(format, report, { showPersonalData: args.showPersonalData === true });
  const bytes =
    out !== undefined
      ? await writeReportFile(chunks, resolve(ctx.cwd, out), out)
      : writeReportTo(chunks, ctx.stdout);

  ctx.log.info(
    `${DIFF_CATEGORIES.map((c) => `${result.counts[c]} ${c}`).join(", ")} (${plural(checked.size, "contacts")} checked, ${result.expectedAssignments} expected, ${assignmentsRead} read)`,
  );
  const errors = issues.some((i) => i.severity === "error" && i.code !== "api.contact_not_read");
  const differences = hasDifferences(result.counts);
  return {
    status: unread > 0 ? "unavailable" : errors ? "invalid" : differences ? "differences" : "in-sync",
    exit:
      unread > 0
        ? "remote_unavailable"
        : errors
          ? "invalid_data"
          : differences && args.failOnDiff === true
            ? "differences"
            : "ok",
    summary: {
      match: "contactId",
      counts: result.counts,
      check: { ...check, unread },
      expected: {
        sources: expected.sources,
        assignments: result.expectedAssignments,
        rejected: expected.rejected,
      },
      actual: { contacts: checked.size, assignments: assignmentsRead },
      report: { format, out: out ?? "stdout", bytes },
    },
    issues,
    // the report holds the issues and may be JSON on stdout: they are listed on stderr, as diff does
    issuesAsText: true,
  };
}
