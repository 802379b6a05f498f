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
    // a fixed clock: the rate and the time left take room from the bar, so they must not vary
    let clock = 1_000_000;
    const p = createProgress(out.stream, {
      label: "upload",
      unit: "bytes",
      total: 2048,
      tty: true,
      enabled: true,
      intervalMs: 0,
      columns: 120,
      now: () => clock,
    });
    clock += 1000;
    p.tick(1024);
    p.done("1 file sent");
    expect(out.text()).toContain(
      "\r\x1b[2Kupload [###############...............] 50% 1.0 KiB of 2.0 KiB 1.0 KiB/s 1s left",
    );
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

  it("shows the share done, the rate and the time left when the total is known", () => {
    const out = sink();
    let t = 0;
    const p = createProgress(out.stream, {
      label: "validate",
      unit: "bytes",
      total: 10 * 1024 * 1024,
      tty: false,
      enabled: true,
      intervalMs: 0,
      now: () => t,
    });
    t = 2000;
    p.set(4 * 1024 * 1024, "40,000 rows");
    expect(out.text()).toBe("validate: 40% 4.0 MiB of 10.0 MiB 2.0 MiB/s 3s left 40,000 rows after 2.0s\n");
  });

  it("fits a terminal narrower than the line and redraws it in place, never wrapping", () => {
    const out = sink();
    const p = createProgress(out.stream, {
      label: "upload to sftp://acme@ftp.voyado.com/integration/promotions",
      unit: "bytes",
      total: 100 * 1024 * 1024,
      tty: true,
      enabled: true,
      intervalMs: 0,
      columns: 40,
    });
    for (let i = 1; i <= 5; i += 1) p.set(i * 1024 * 1024, `${i}/50 20260301020000_00000${i}_promotions.xml`);
    p.done("50 files sent");
    const draws = out.text().split("\r\x1b[2K").slice(1);
    expect(draws).toHaveLength(6);
    for (const draw of draws) expect(Array.from(draw.replace(/\n$/, "")).length).toBeLessThanOrEqual(39);
    expect(out.text().match(/\n/g)).toHaveLength(1);
  });

  it("never prints the same line twice off a terminal", () => {
    const out = sink();
    let t = 0;
    const p = createProgress(out.stream, {
      label: "parse",
      unit: "bytes",
      total: 1000,
      tty: false,
      enabled: true,
      intervalMs: 0,
      now: () => t,
    });
    for (let i = 0; i < 10; i += 1) {
      t += 1000;
      p.set(500, "3 records");
    }
    t += 1000;
    p.done();
    const lines = out.text().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^parse: 50% 500 B of 1000 B/);
  });

  it("says 1 row, not 1 rows", () => {
    const out = sink();
    const p = createProgress(out.stream, { label: "render", unit: "rows", tty: false, enabled: true });
    p.tick();
    p.done();
    expect(out.text()).toMatch(/^render: 1 row after/);
  });
});
