import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { derivePromotionCodeId } from "../../src/validate/promotion-code.js";

const GUID = "7b89b95e-6347-4d66-8b02-a10a9c830119";

describe("derivePromotionCodeId", () => {
  it("follows the documented formula", () => {
    const digest = createHash("sha256").update(`SPRING-26\0${GUID}`).digest("hex").slice(0, 20);
    expect(derivePromotionCodeId("SPRING-26", GUID, undefined)).toBe(`SPRING-26-${digest}`);
  });

  it("gives the same id on every run and for any letter case of the GUID", () => {
    expect(derivePromotionCodeId("P", GUID.toUpperCase(), undefined)).toBe(
      derivePromotionCodeId("P", GUID, undefined),
    );
  });

  it("uses the externalContactId when there is no contactId, and contactId when both", () => {
    const digest = createHash("sha256").update("P\0ext-9").digest("hex").slice(0, 20);
    expect(derivePromotionCodeId("P", undefined, "ext-9")).toBe(`P-${digest}`);
    expect(derivePromotionCodeId("P", GUID, "ext-9")).toBe(derivePromotionCodeId("P", GUID, undefined));
  });

  it("stays within 450 characters and never cuts a surrogate pair", () => {
    const long = "x".repeat(428) + "😀" + "y".repeat(100);
    const id = derivePromotionCodeId(long, GUID, undefined);
    expect(id.length).toBeLessThanOrEqual(450);
    expect(id.startsWith(`${"x".repeat(428)}-`)).toBe(true);
    const other = derivePromotionCodeId(`${long}z`, GUID, undefined);
    expect(other).not.toBe(id);
    expect(derivePromotionCodeId("x".repeat(450), GUID, undefined)).toHaveLength(450);
  });
});
