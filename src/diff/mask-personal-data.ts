import type { DiffEntry } from "./diff-entry.js";

function maskPart(chars: readonly string[]): string {
  if (chars.length <= 3) return "*".repeat(chars.length);
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/**
 * Masks a personal value for a report: an email keeps the first character of the local part and
 * of the domain and the top-level domain (`jane@example.com` → `j***@e***.com`, a fixed three
 * stars so the length is not told); anything else keeps its first and last character
 * (`4398423` → `4*****3`), and a value of three characters or fewer is all stars.
 */
export function maskPersonalData(value: string): string {
  const at = value.lastIndexOf("@");
  if (at > 0 && at < value.length - 1) {
    const local = Array.from(value.slice(0, at));
    const domain = value.slice(at + 1);
    const dot = domain.lastIndexOf(".");
    const name = Array.from(dot > 0 ? domain.slice(0, dot) : domain);
    const tld = dot > 0 ? domain.slice(dot) : "";
    return `${local[0]}***@${name[0]}***${tld}`;
  }
  return maskPart(Array.from(value));
}

/** An entry as a report shows it: the contact key (a member number or an email) masked unless shown on purpose. */
export function presentEntry(entry: DiffEntry, showPersonalData: boolean): DiffEntry {
  // contactId is Engage's GUID, not personal on its own; contactKey (and the externalContactId it is matched with) is.
  if (showPersonalData || entry.contact === undefined || entry.contact.field !== "contactKey") return entry;
  return { ...entry, contact: { field: entry.contact.field, value: maskPersonalData(entry.contact.value) } };
}
