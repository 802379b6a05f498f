import { describe, expect, it } from "vitest";
import { parseCustomersCsv } from "../../src/import/load-mapping.js";

const guid = (i: number): string => `7b89b95e-6347-4d66-8b02-${String(i).padStart(12, "0")}`;

function parse(text: string, inline: Record<string, string> = {}) {
  const into = new Map<string, string>();
  const origin = new Map<string, string | number>();
  for (const [key, value] of Object.entries(inline)) {
    into.set(key, value);
    origin.set(key, "mapping.json customers");
  }
  parseCustomersCsv(text, "customers.csv", into, origin);
  return into;
}

describe("parseCustomersCsv", () => {
  it("reads a file of many slices whole, a line cut by a slice boundary included", () => {
    const lines = ["sourceId;contactId"];
    for (let i = 0; i < 60_000; i++) lines.push(`${String(4_000_000 + i).padStart(10, "0")};${guid(i)}`);
    const text = `${lines.join("\n")}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 * 1024 * 1024);
    const customers = parse(text);
    expect(customers.size).toBe(60_000);
    expect(customers.get("0004000000")).toBe(guid(0));
    expect(customers.get("0004059999")).toBe(guid(59_999));
  });

  it("names both places when a source id is given two contacts, in the file or beside it", () => {
    const twice = `sourceId;contactId\nA;${guid(1)}\nB;${guid(2)}\nA;${guid(3)}\n`;
    expect(() => parse(twice)).toThrow(
      `customers file customers.csv: customers.csv:4: sourceId "A" maps to ${guid(3)}, but customers.csv:2 maps it to ${guid(1)}`,
    );
    expect(() => parse(`sourceId;contactId\nB;${guid(2)}\n`, { B: guid(9) })).toThrow(
      `customers.csv:2: sourceId "B" maps to ${guid(2)}, but mapping.json customers maps it to ${guid(9)}`,
    );
  });

  it("refuses an empty file and one without the two columns", () => {
    expect(() => parse("")).toThrow("expected a header sourceId;contactId, got an empty file");
    expect(() => parse("id;guid\nA;x\n")).toThrow("expected the columns sourceId and contactId");
  });
});
