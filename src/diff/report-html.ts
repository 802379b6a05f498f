import { countBySeverity } from "../core/issue.js";
import { formatLocation } from "../core/location.js";
import { DIFF_CATEGORIES, DIFFERENCE_CATEGORIES, type DiffCategory, type DiffEntry } from "./diff-entry.js";
import { totalEntries, type DiffReport, type ReportOptions } from "./diff-report.js";
import { presentEntry } from "./mask-personal-data.js";
import { formatShare } from "./format-share.js";
import { groupDigits } from "../core/format-amount.js";

/** Rows listed per category by default: beyond this a browser struggles to open the file. */
export const HTML_ROWS_PER_CATEGORY = 10_000;

const COLORS: Record<DiffCategory, string> = {
  missing: "#c62828",
  mismatched: "#d84315",
  unexpected: "#6a1b9a",
  deleted: "#455a64",
  not_checkable: "#8d6e63",
  redeemed: "#1565c0",
  assigned: "#2e7d32",
};

const LABELS: Record<DiffCategory, string> = {
  missing: "Missing",
  mismatched: "Mismatched",
  unexpected: "Unexpected",
  deleted: "Deleted",
  not_checkable: "Not checkable",
  redeemed: "Redeemed",
  assigned: "Assigned",
};

const MEANINGS: Record<DiffCategory, string> = {
  missing: "sent, in no export",
  mismatched: "exported, but dates or channels differ",
  unexpected: "exported, never sent",
  deleted: "exported as deleted",
  not_checkable: "sent, not started or ended: the API cannot show it",
  redeemed: "exported and used",
  assigned: "exported as sent",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;",
  );
}

const n = groupDigits;

function style(): string {
  const perCategory = DIFF_CATEGORIES.map(
    (c) => `.c-${c}{--c:${COLORS[c]}}` + `tbody[data-filter="${c}"] tr:not(.c-${c}){display:none}`,
  ).join("\n");
  return `
:root{color-scheme:light;--ink:#1b1f24;--muted:#5b6470;--line:#d8dde3;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1440px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px}
.meta{color:var(--muted);margin:0 0 18px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px}
.summary{display:grid;grid-template-columns:max-content max-content 1fr max-content;gap:10px 14px;align-items:center}
.summary .label{font-weight:600}
.summary .label small{display:block;font-weight:400;color:var(--muted);font-size:12px}
.summary .count{font-variant-numeric:tabular-nums;text-align:right;font-weight:600;font-size:18px}
.summary .pct{font-variant-numeric:tabular-nums;color:var(--muted);text-align:right;min-width:4.5em}
.bar{height:18px;background:#eceff3;border-radius:4px;overflow:hidden}
.bar span{display:block;height:100%;background:var(--c)}
.verdict{margin:14px 0 0;font-weight:600}
.verdict.ok{color:${COLORS.assigned}}
.verdict.diff{color:${COLORS.missing}}
.sources{font-size:13px;color:var(--muted)}
.sources ul{margin:4px 0 8px;padding-left:18px}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 12px}
.filters button{font:inherit;font-size:13px;padding:5px 12px;border:1px solid var(--line);border-radius:999px;background:#fff;cursor:pointer}
.filters button[aria-pressed="true"]{background:var(--ink);color:#fff;border-color:var(--ink)}
.filters button .dot{display:inline-block;width:9px;height:9px;border-radius:50%;background:var(--c,#888);margin-right:6px}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);font-size:13px}
th,td{text-align:left;vertical-align:top;padding:7px 9px;border-bottom:1px solid var(--line)}
th{background:#eef1f4;position:sticky;top:0}
td:nth-child(2),td:nth-child(3),td:nth-child(4){min-width:8.5em}
td:nth-child(5),td:nth-child(6){min-width:14em}
td:last-child{min-width:18em}
td code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;white-space:nowrap}
.tag{display:inline-block;padding:1px 8px;border-radius:999px;color:#fff;background:var(--c);font-size:12px;font-weight:600}
.diffs{margin:0;padding-left:16px}
.note{color:var(--muted);font-size:13px}
.more{background:#fff8e1;border:1px solid #ffe082;border-radius:6px;padding:8px 12px;font-size:13px}
${perCategory}
`;
}

const SCRIPT = `
(function(){
  var body=document.getElementById("rows");
  var buttons=document.querySelectorAll(".filters button");
  function pick(f){
    if(f==="all"){body.removeAttribute("data-filter");}else{body.setAttribute("data-filter",f);}
    for(var i=0;i<buttons.length;i++){buttons[i].setAttribute("aria-pressed",String(buttons[i].getAttribute("data-filter")===f));}
  }
  for(var i=0;i<buttons.length;i++){buttons[i].addEventListener("click",function(){pick(this.getAttribute("data-filter"));});}
  var start=location.hash.slice(1);
  for(var j=0;j<buttons.length;j++){if(buttons[j].getAttribute("data-filter")===start){pick(start);}}
})();
`;

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

function row(e: DiffEntry): string {
  const cells: string[] = [];
  cells.push(`<span class="tag c-${e.category}">${e.category}</span>`);
  cells.push(e.externalPromotionId ? code(e.externalPromotionId) : `<span class="note">none</span>`);
  cells.push(
    e.contact
      ? `${code(e.contact.value)}<br><span class="note">${e.contact.field}</span>`
      : `<span class="note">none</span>`,
  );
  cells.push(e.promotionCodeId !== undefined ? code(e.promotionCodeId) : "");
  let sent = "";
  if (e.sent) {
    sent = code(formatLocation(e.sent.at));
    if (e.sent.origin)
      sent += `<br><span class="note">from ${escapeHtml(formatLocation(e.sent.origin))}</span>`;
    // The import file is secondary and long: a tooltip keeps the column narrow.
    if (e.sent.importFile !== undefined)
      sent = `<span title="in ${escapeHtml(e.sent.importFile)}">${sent}</span>`;
  }
  cells.push(sent);
  cells.push(
    e.exported
      ? `${code(formatLocation(e.exported.at))}<br><span class="note">${e.exported.kind}</span>`
      : "",
  );
  let detail = "";
  if (e.differences.length > 0) {
    detail = `<ul class="diffs">${e.differences
      .map((d) => `<li>${code(d.field)}: sent ${code(d.expected)}, exported ${code(d.actual)}</li>`)
      .join("")}</ul>`;
  }
  if (e.note !== undefined) detail += `<span class="note">${escapeHtml(e.note)}</span>`;
  cells.push(detail);
  return `<tr class="c-${e.category}">${cells.map((c) => `<td>${c}</td>`).join("")}</tr>\n`;
}

/**
 * The HTML report: one self-contained page (inline CSS and a little inline script, no network)
 * with a bar per category, the sources, and a table filterable by category. Every value is
 * escaped. At most `maxRowsPerCategory` rows per category are listed, with a note saying how
 * many were left out, so a report of a million entries still opens.
 */
export function* formatDiffHtml(
  report: DiffReport,
  options: ReportOptions & { maxRowsPerCategory?: number },
): Generator<string> {
  const cap = options.maxRowsPerCategory ?? HTML_ROWS_PER_CATEGORY;
  const total = totalEntries(report.counts);
  const differences = DIFF_CATEGORIES.filter((c) => DIFFERENCE_CATEGORIES.has(c)).reduce(
    (a, c) => a + report.counts[c],
    0,
  );
  const title = differences === 0 ? "in sync" : `${n(differences)} difference${differences === 1 ? "" : "s"}`;
  let head = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Promotion reconciliation: ${title}</title>
<style>${style()}</style>
</head>
<body>
<main>
<h1>Promotion reconciliation</h1>
<p class="meta">${report.check === undefined ? "" : `Checked against Engage's API: ${n(report.check.contacts)} contact${report.check.contacts === 1 ? "" : "s"} at ${escapeHtml(report.check.at)} · `}Matched on ${report.match} · ${n(report.expectedAssignments)} expected assignment${report.expectedAssignments === 1 ? "" : "s"} · ${n(report.exportRecords)} ${report.check === undefined ? "export record" : "assignment"}${report.exportRecords === 1 ? "" : "s"}${report.check === undefined ? "" : " read"}${report.generatedAt !== undefined ? ` · ${escapeHtml(report.generatedAt)}` : ""}</p>
<section class="card" aria-label="Counts per category">
<div class="summary">
`;
  for (const c of DIFF_CATEGORIES) {
    const count = report.counts[c];
    const pct = total === 0 ? 0 : (count / total) * 100;
    const share = formatShare(count, total);
    // a non-zero count keeps a bar of at least 3 px, so 6 of 300,006 does not look like none
    const width = count === 0 ? "0%" : `max(3px, ${pct.toFixed(2)}%)`;
    head += `<div class="label c-${c}">${LABELS[c]}<small>${MEANINGS[c]}</small></div><div class="count">${n(count)}</div><div class="bar c-${c}" role="img" aria-label="${LABELS[c]}: ${share}"><span style="width:${width}"></span></div><div class="pct">${share}</div>\n`;
  }
  head += `</div>\n<p class="verdict ${differences === 0 ? "ok" : "diff"}">${differences === 0 ? "In sync: every expected assignment was exported as sent or redeemed." : `${n(differences)} difference${differences === 1 ? "" : "s"}: missing, mismatched, unexpected or deleted.`}</p>\n</section>\n`;
  head += `<h2>Sources</h2>\n<div class="sources card">\n<strong>Expected</strong><ul>\n`;
  for (const s of report.sources.expected)
    head += `<li>${code(s.path)} (${s.kind}, ${n(s.count)} assignment${s.count === 1 ? "" : "s"})</li>\n`;
  head += `</ul>\n<strong>Exported</strong><ul>\n`;
  for (const s of report.sources.actual)
    head += `<li>${code(s.path)} (${n(s.count)} ${s.kind === "api" ? "assignment" : "record"}${s.count === 1 ? "" : "s"}${s.kind === "api" ? " read" : ""})</li>\n`;
  head += `</ul>\n`;
  if (report.issues.length > 0) {
    const c = countBySeverity(report.issues);
    head += `<p>Issues: ${n(c.error)} error${c.error === 1 ? "" : "s"}, ${n(c.warning)} warning${c.warning === 1 ? "" : "s"} (listed by the command).</p>\n`;
  }
  head += `</div>\n<h2>Records</h2>\n<div class="filters" role="group" aria-label="Filter by category">\n<button type="button" data-filter="all" aria-pressed="true">All (${n(total)})</button>\n`;
  for (const c of DIFF_CATEGORIES) {
    if (report.counts[c] > 0)
      head += `<button type="button" class="c-${c}" data-filter="${c}" aria-pressed="false"><span class="dot"></span>${LABELS[c]} (${n(report.counts[c])})</button>\n`;
  }
  head += `</div>\n`;
  const notes: string[] = [];
  for (const c of DIFF_CATEGORIES) {
    if (report.counts[c] > cap)
      notes.push(`${LABELS[c]}: the first ${n(cap)} of ${n(report.counts[c])} are listed`);
  }
  if (notes.length > 0)
    head += `<p class="more">${escapeHtml(notes.join("; "))}. The CSV and JSON reports list every entry.</p>\n`;
  head += `<table>\n<thead><tr><th>Category</th><th>Promotion</th><th>Contact</th><th>Code</th><th>Sent</th><th>Exported</th><th>Differences</th></tr></thead>\n<tbody id="rows">\n`;
  yield head;
  for (const c of DIFF_CATEGORIES) {
    if (report.counts[c] === 0) continue;
    let listed = 0;
    for (const e of report.entries(c)) {
      if (listed >= cap) break;
      listed += 1;
      yield row(presentEntry(e, options.showPersonalData));
    }
  }
  yield `</tbody>\n</table>\n${total === 0 ? `<p class="note">Nothing expected and nothing exported.</p>\n` : ""}</main>\n<script>${SCRIPT}</script>\n</body>\n</html>\n`;
}
