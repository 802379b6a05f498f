import { countBySeverity } from "../core/issue.js";
import { formatLocation } from "../core/location.js";
import { DIFF_CATEGORIES, type DiffEntry, type SentSource } from "./diff-entry.js";
import { totalEntries, type DiffReport, type ReportOptions, type ReportSource } from "./diff-report.js";
import { presentEntry } from "./mask-personal-data.js";
import { formatShare } from "./format-share.js";
import { groupDigits, plural } from "../core/format-amount.js";

const BAR_WIDTH = 40;

function sourceLine(s: ReportSource): string {
  const what =
    s.kind === "export"
      ? plural(s.count, "record")
      : s.kind === "api"
        ? `${plural(s.count, "assignment")} read`
        : `${s.kind}, ${plural(s.count, "assignment")}`;
  return `${s.path} (${what})`;
}

/** `file:line (from input:line, in import.xml)`: the place an expected assignment came from. */
export function describeSent(sent: SentSource): string {
  const extra: string[] = [];
  if (sent.origin) extra.push(`from ${formatLocation(sent.origin)}`);
  if (sent.importFile !== undefined) extra.push(`in ${sent.importFile}`);
  return extra.length > 0 ? `${formatLocation(sent.at)} (${extra.join(", ")})` : formatLocation(sent.at);
}

function entryText(e: DiffEntry): string {
  const head = [`  ${e.externalPromotionId || "(no externalPromotionId)"}`];
  head.push(e.contact ? `${e.contact.field} ${e.contact.value}` : "(no contact)");
  if (e.promotionCodeId !== undefined) head.push(`code ${e.promotionCodeId}`);
  const lines = [head.join("  ")];
  if (e.sent) lines.push(`    sent      ${describeSent(e.sent)}`);
  if (e.exported) lines.push(`    exported  ${formatLocation(e.exported.at)} (${e.exported.kind})`);
  for (const d of e.differences)
    lines.push(`    ${d.field}: sent ${JSON.stringify(d.expected)}, exported ${JSON.stringify(d.actual)}`);
  if (e.note !== undefined) lines.push(`    note      ${e.note}`);
  return `${lines.join("\n")}\n`;
}

/** The text report: counts with bars, sources, then every entry by category. Yields chunks as it goes. */
export function* formatDiffText(report: DiffReport, options: ReportOptions): Generator<string> {
  const total = totalEntries(report.counts);
  const check = report.check;
  const head: string[] = [
    check === undefined
      ? `Reconciliation matched on ${report.match}: ${plural(report.expectedAssignments, "expected assignment")}, ${plural(report.exportRecords, "export record")}`
      : `Check against Engage's API at ${check.at} of ${plural(check.contacts, "contact")} (${check.sample.kind === "random" ? `drawn from ${plural(check.sample.of, "contact")} sent, seed ${check.sample.seed}` : `listed in ${check.sample.path}`}), matched on ${report.match}: ${plural(report.expectedAssignments, "expected assignment")}, ${plural(report.exportRecords, "assignment")} read`,
    "",
  ];
  const width = Math.max(...DIFF_CATEGORIES.map((c) => groupDigits(report.counts[c]).length));
  const nameWidth = Math.max(...DIFF_CATEGORIES.map((c) => c.length));
  for (const c of DIFF_CATEGORIES) {
    const n = report.counts[c];
    const bar = total === 0 ? "" : "#".repeat(n === 0 ? 0 : Math.max(1, Math.round((n / total) * BAR_WIDTH)));
    const pct = total === 0 ? "" : formatShare(n, total);
    head.push(
      `  ${c.padEnd(nameWidth)} ${groupDigits(n).padStart(width)}  ${bar.padEnd(BAR_WIDTH)} ${pct.padStart(6)}`.trimEnd(),
    );
  }
  head.push("");
  report.sources.expected.forEach((s, i) =>
    head.push(`${i === 0 ? "expected" : ""}`.padEnd(10) + sourceLine(s)),
  );
  if (report.sources.expected.length === 0) head.push("expected  (none)");
  report.sources.actual.forEach((s, i) => head.push(`${i === 0 ? "actual" : ""}`.padEnd(10) + sourceLine(s)));
  if (report.sources.actual.length === 0) head.push("actual    (none)");
  if (report.issues.length > 0) {
    const c = countBySeverity(report.issues);
    head.push(`issues    ${plural(c.error, "error")}, ${plural(c.warning, "warning")} (listed on stderr)`);
  }
  if (report.generatedAt !== undefined) head.push(`generated ${report.generatedAt}`);
  yield `${head.join("\n")}\n`;
  for (const c of DIFF_CATEGORIES) {
    if (report.counts[c] === 0) continue;
    yield `\n${c} (${groupDigits(report.counts[c])})\n`;
    for (const e of report.entries(c)) yield entryText(presentEntry(e, options.showPersonalData));
  }
}
