import type { JsonNode } from "../../src/read/json-parser.js";

/** The plain value a node stands for, as JSON.parse gives it (a key named __proto__ included). */
export function valueOf(node: JsonNode): unknown {
  switch (node.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const e of node.entries)
        Object.defineProperty(out, e.key, {
          value: valueOf(e.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    }
    case "array":
      return node.items.map(valueOf);
    case "number":
      return Number(node.raw);
    case "null":
      return null;
    default:
      return node.value;
  }
}
