import { makeIssue, type Issue } from "../core/issue.js";

/** Splits one CSV line on `delimiter`, honouring double quotes (`""` inside quotes is one quote). */
function splitLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === "") {
      field = "";
      quoted = true;
    } else if (c === delimiter) {
      out.push(field.trim());
      field = "";
    } else field += c;
  }
  out.push(field.trim());
  return out;
}

/**
 * Reads the contacts of `--contacts-file`: one contactId a line, or a CSV file (`;`, `,` or tab)
 * whose header has a `contactId` column (any case). Blank lines are skipped and a contact listed
 * twice is checked once; the contacts come back in the order first listed.
 */
export function parseContactsFile(text: string, file: string): { contacts: string[]; issues: Issue[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const issues: Issue[] = [];
  const seen = new Set<string>();
  let column = -1;
  let delimiter = "";
  let start = 0;
  const header = lines[0] ?? "";
  for (const d of [";", ",", "\t"]) {
    const i = splitLine(header, d).findIndex((f) => f.toLowerCase() === "contactid");
    if (i >= 0 && (header.includes(d) || i === 0)) {
      column = i;
      delimiter = d;
      start = 1;
      break;
    }
  }
  for (let n = start; n < lines.length; n += 1) {
    const line = lines[n]!;
    if (line.trim() === "") continue;
    const value = column < 0 ? line.trim() : (splitLine(line, delimiter)[column] ?? "");
    if (value === "") {
      issues.push(
        makeIssue("api.row_invalid", "contactId: expected a contact, got an empty field", {
          file,
          line: n + 1,
          field: "contactId",
        }),
      );
      continue;
    }
    seen.add(value);
  }
  return { contacts: [...seen], issues };
}
