import { hash } from "node:crypto";

/** Engage's maximum length of a promotion code id. */
const MAX_CODE = 450;
/** Hex digits of the digest kept: 80 bits, so codes of one promotion collide with odds near 2^-80 per pair. */
const DIGEST_HEX = 20;

/**
 * Derives the promotion code id of an assignment whose `promotionCodeId` is empty, so a re-run
 * sends the same ids: `<externalPromotionId>-<h>`, where `<h>` is the first 20 hex digits of
 * sha256 over the UTF-8 text `externalPromotionId + "\0" + contact`, and `contact` is the
 * `contactId` in lower case (a GUID's letter case does not change the contact), or else the
 * `externalContactId` as given. The promotion id is cut to 429 characters (never inside a
 * surrogate pair) so the whole stays within Engage's 450; the digest still covers all of it.
 * The same promotion and contact twice give the same id, which the duplicate-code rule reports.
 */
export function derivePromotionCodeId(
  externalPromotionId: string,
  contactId: string | undefined,
  externalContactId: string | undefined,
): string {
  const contact = contactId !== undefined ? contactId.toLowerCase() : (externalContactId ?? "");
  const digest = hash("sha256", `${externalPromotionId}\0${contact}`, "hex").slice(0, DIGEST_HEX);
  let cut = Math.min(externalPromotionId.length, MAX_CODE - DIGEST_HEX - 1);
  const last = externalPromotionId.charCodeAt(cut - 1);
  if (cut < externalPromotionId.length && last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${externalPromotionId.slice(0, cut)}-${digest}`;
}
