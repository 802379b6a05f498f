import { describe, expect, it } from "vitest";
import { parseTarget } from "../../src/transport/target.js";
import { planUpload, plannedRemotePath } from "../../src/transport/plan-upload.js";
import type { Manifest } from "../../src/schemas/manifest.js";

const target = parseTarget("sftp://acme@h/in");
const file = (name: string, bytes: number, deliveries: Manifest["files"][number]["deliveries"] = {}) => ({
  name,
  sha256: "0".repeat(64),
  bytes,
  counts: { promotions: 1, assignments: 0 },
  promotions: [],
  deliveries,
});
const manifest = (files: ReturnType<typeof file>[]) => ({ files }) as unknown as Manifest;
const delivered = (bytes: number) => ({
  [target.display]: { remotePath: "/in/a.xml", uploadedAt: "t1", verifiedAt: "t2", bytes },
});

describe("planUpload", () => {
  it("sends what is not verified at this target, in manifest order, and skips what is", () => {
    const plan = planUpload(
      manifest([
        file("b.xml", 5),
        file("a.xml", 7, delivered(7)),
        file("c.xml", 3, { "sftp://other@h/in": delivered(3)[target.display]! }),
      ]),
      target,
      { force: false },
    );
    expect(plan.items.map((i) => [i.name, i.action, i.remotePath, i.tempName])).toEqual([
      ["b.xml", "send", "/in/b.xml", "b.xml.part"],
      ["a.xml", "skip", "/in/a.xml", "a.xml.part"],
      ["c.xml", "send", "/in/c.xml", "c.xml.part"],
    ]);
    expect(plan).toMatchObject({ send: 2, skip: 1, bytesToSend: 8 });
  });

  it("sends again with --force, and when the recorded size is not the file's", () => {
    expect(
      planUpload(manifest([file("a.xml", 7, delivered(7))]), target, { force: true }).items[0],
    ).toMatchObject({ action: "send", reason: "sent again (--force)" });
    expect(
      planUpload(manifest([file("a.xml", 7, delivered(6))]), target, { force: false }).items[0]?.action,
    ).toBe("send");
  });

  it("shows login-relative and local destinations", () => {
    expect(plannedRemotePath(parseTarget("sftp://u@h/~/out"), "a.xml")).toBe("~/out/a.xml");
    expect(plannedRemotePath(parseTarget("sftp://u@h/~"), "a.xml")).toBe("~/a.xml");
    expect(plannedRemotePath(parseTarget("/srv/drop"), "a.xml")).toBe("/srv/drop/a.xml");
  });
});
