import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress } from "../../src/cli/progress.js";

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe("progress on stderr", () => {
  it("redraws one bar with a percentage on a terminal", () => {
    const out = sink();
    const p = createProgress(out.stream, {
      label: "upload",
      unit: "bytes",
      total: 2048,
      tty: true,
      enabled: true,
      intervalMs: 0,
    });
    p.tick(1024);
    p.done("1 file sent");
    expect(out.text()).toContain("\r\x1b[2Kupload [###############...............] 50% 1.0 KiB of 2.0 KiB");
    expect(out.text().endsWith("1 file sent\n")).toBe(true);
  });

  it("writes plain lines, at most one per interval, when stderr is not a terminal", () => {
    const out = sink();
    const p = createProgress(out.stream, {
      label: "render",
      unit: "rows",
      tty: false,
      enabled: true,
      intervalMs: 60_000,
    });
    for (let i = 0; i < 1000; i += 1) p.tick();
    p.done();
    const lines = out.text().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^render: 1,000 rows after \d+\.\ds$/);
    expect(out.text()).not.toContain("\x1b");
  });

  it("prints nothing when disabled (--quiet, --no-progress)", () => {
    const out = sink();
    const p = createProgress(out.stream, { label: "x", unit: "rows", tty: true, enabled: false });
    p.tick(5);
    p.done();
    expect(out.text()).toBe("");
  });
});
