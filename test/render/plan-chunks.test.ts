import { describe, expect, it } from "vitest";
import { ChunkPlanner, planChunks } from "../../src/render/plan-chunks.js";

const timestamp = new Date("2026-03-01T02:00:00Z");
const summary = (files: ReturnType<typeof planChunks>) =>
  files.map((f) => ({
    seq: f.seq,
    promotions: f.promotionIds,
    assignments: f.assignments,
    keyLines: f.keyLines,
  }));

describe("planChunks", () => {
  it("puts at most maxPerFile assignments in a file", () => {
    const files = planChunks(["A"], Array(7).fill("A"), { timestamp, maxPerFile: 3 });
    expect(summary(files)).toEqual([
      { seq: 1, promotions: ["A"], assignments: 3, keyLines: [1, 3] },
      { seq: 2, promotions: ["A"], assignments: 3, keyLines: [4, 6] },
      { seq: 3, promotions: ["A"], assignments: 1, keyLines: [7, 7] },
    ]);
  });

  it("makes exactly one file when the assignments fill it exactly", () => {
    expect(
      planChunks(["A"], Array(3).fill("A"), { timestamp, maxPerFile: 3 }).map((f) => f.assignments),
    ).toEqual([3]);
  });

  it("carries in each file every defined promotion its assignments refer to, in definition order", () => {
    const files = planChunks(["A", "B", "C"], ["B", "X", "A", "B", "C"], { timestamp, maxPerFile: 3 });
    expect(summary(files)).toEqual([
      { seq: 1, promotions: ["A", "B"], assignments: 3, keyLines: [1, 3] },
      { seq: 2, promotions: ["B", "C"], assignments: 2, keyLines: [4, 5] },
    ]);
  });

  it("puts definitions no assignment refers to in files of their own, after the assignment files", () => {
    const files = planChunks(["A", "B", "C", "D"], ["B"], { timestamp, maxPerFile: 2 });
    expect(summary(files)).toEqual([
      { seq: 1, promotions: ["B"], assignments: 1, keyLines: [1, 1] },
      { seq: 2, promotions: ["A", "C"], assignments: 0, keyLines: undefined },
      { seq: 3, promotions: ["D"], assignments: 0, keyLines: undefined },
    ]);
    expect(files.map((f) => f.name)).toEqual([
      "20260301020000_000001_promotions.xml",
      "20260301020000_000002_promotions.xml",
      "20260301020000_000003_promotions.xml",
    ]);
  });

  it("plans one file of definitions when there are no assignments, and none when there is nothing", () => {
    expect(summary(planChunks(["A", "B"], [], { timestamp, maxPerFile: 20_000 }))).toEqual([
      { seq: 1, promotions: ["A", "B"], assignments: 0, keyLines: undefined },
    ]);
    expect(planChunks([], [], { timestamp, maxPerFile: 20_000 })).toEqual([]);
  });

  it("plans 20,000 assignments into one file and 20,001 into two at the default limit", () => {
    expect(
      planChunks(["A"], Array(20_000).fill("A"), { timestamp, maxPerFile: 20_000 }).map((f) => f.assignments),
    ).toEqual([20_000]);
    expect(
      planChunks(["A"], Array(20_001).fill("A"), { timestamp, maxPerFile: 20_000 }).map((f) => f.assignments),
    ).toEqual([20_000, 1]);
  });

  it("keeps the first of two definitions of one id", () => {
    const planner = new ChunkPlanner({ timestamp, maxPerFile: 5 });
    expect(planner.define("A")).toBe(true);
    expect(planner.define("A")).toBe(false);
    expect(planner.finish().map((f) => f.promotionIds)).toEqual([["A"]]);
  });

  it("refuses a definition after the first assignment, as an internal error", () => {
    const planner = new ChunkPlanner({ timestamp, maxPerFile: 5 });
    planner.place("A");
    expect(() => planner.define("A")).toThrow(
      expect.objectContaining({ kind: "internal", code: "render.definition_after_assignment" }),
    );
  });

  it("refuses a limit below 1", () => {
    expect(() => new ChunkPlanner({ timestamp, maxPerFile: 0 })).toThrow(RangeError);
  });
});
