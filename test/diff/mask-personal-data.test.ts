import { describe, expect, it } from "vitest";
import { maskPersonalData, presentEntry } from "../../src/diff/mask-personal-data.js";
import type { DiffEntry } from "../../src/diff/diff-entry.js";

describe("personal data masking", () => {
  it("keeps the first and last character of a member number", () => {
    expect(maskPersonalData("4398423")).toBe("4*****3");
    expect(maskPersonalData("0004398423")).toBe("0********3");
  });

  it("keeps an email's first letters and top-level domain, with a fixed number of stars", () => {
    expect(maskPersonalData("jane.doe@example.com")).toBe("j***@e***.com");
    expect(maskPersonalData("j@x.se")).toBe("j***@x***.se");
    expect(maskPersonalData("åsa@hemma")).toBe("å***@h***");
  });

  it("masks short values entirely", () => {
    expect(maskPersonalData("abc")).toBe("***");
    expect(maskPersonalData("7")).toBe("*");
    expect(maskPersonalData("")).toBe("");
  });

  it("counts characters, not UTF-16 units", () => {
    expect(maskPersonalData("😀1234😀")).toBe("😀****😀");
  });

  it("masks contact keys in entries unless asked to show them, and never contact GUIDs", () => {
    const byKey: DiffEntry = {
      category: "missing",
      externalPromotionId: "P",
      contact: { field: "contactKey", value: "0004398423" },
      differences: [],
    };
    const byId: DiffEntry = {
      ...byKey,
      contact: { field: "contactId", value: "7b89b95e-6347-4d66-8b02-a10a9c830119" },
    };
    expect(presentEntry(byKey, false).contact?.value).toBe("0********3");
    expect(presentEntry(byKey, true).contact?.value).toBe("0004398423");
    expect(presentEntry(byId, false)).toBe(byId);
  });
});
