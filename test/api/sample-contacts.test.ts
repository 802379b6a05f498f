import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseContactsFile } from "../../src/api/contacts-file.js";
import { sampleContacts, seededRandom } from "../../src/api/sample-contacts.js";

describe("the contact sample", () => {
  it("is n distinct contacts of the set (all of them when fewer), whatever order they came in", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 60 }),
        fc.nat(80),
        fc.nat(),
        (contacts, n, seed) => {
          const sample = sampleContacts(contacts, n, seed);
          const set = new Set(contacts);
          expect(sample).toHaveLength(Math.min(n, set.size));
          expect(new Set(sample).size).toBe(sample.length);
          for (const c of sample) expect(set.has(c)).toBe(true);
          expect(sampleContacts([...contacts].reverse(), n, seed)).toEqual(sample);
        },
      ),
    );
  });

  it("draws from a seeded sequence that does not depend on the platform", () => {
    const r = seededRandom(1);
    expect([r(), r(), r()].map((x) => x.toFixed(6))).toEqual(["0.627074", "0.002736", "0.527447"]);
  });
});

describe("the contacts file", () => {
  it("reads one contact a line, skipping blank lines and repeats", () => {
    expect(parseContactsFile("\uFEFFa\r\n\nb\na\n", "c.txt")).toEqual({ contacts: ["a", "b"], issues: [] });
  });

  it("reads the contactId column of a CSV file, with quoted fields", () => {
    const text = 'name,ContactId,city\n"Doe, Jane",a,Lund\nBo,"b",Umeå\n';
    expect(parseContactsFile(text, "c.csv").contacts).toEqual(["a", "b"]);
    expect(parseContactsFile("contactId\na\n", "c.csv").contacts).toEqual(["a"]);
  });

  it("reports an empty contactId field with its line", () => {
    const { issues } = parseContactsFile("x;contactId\n1;\n", "c.csv");
    expect(issues).toMatchObject([{ code: "api.row_invalid", file: "c.csv", line: 2 }]);
  });
});
