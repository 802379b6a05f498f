import { describe, expect, it } from "vitest";
import { COLLECT_EVERY_BYTES, countMoved } from "../../src/transport/collect-buffers.js";

/** Allocates `count` buffers of 1 MiB the way the SSH library does, and drops them. */
function allocateGarbage(count: number): void {
  for (let i = 0; i < count; i++) Buffer.allocUnsafe(1024 * 1024).fill(i);
}

/** The bytes held by array buffers once the engine has finished freeing what it collected. */
async function heldBytes(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return process.memoryUsage().arrayBuffers;
}

describe("countMoved", () => {
  it("frees the buffers a transfer dropped once 4 MiB more have moved", async () => {
    countMoved(COLLECT_EVERY_BYTES);
    const before = await heldBytes();
    allocateGarbage(24);
    // Under the engine's own threshold: nothing has freed them yet.
    expect(await heldBytes()).toBeGreaterThan(before + 20 * 1024 * 1024);
    countMoved(COLLECT_EVERY_BYTES);
    expect(await heldBytes()).toBeLessThan(before + 4 * 1024 * 1024);
  });

  it("leaves the buffers alone while less than 4 MiB has moved", async () => {
    countMoved(COLLECT_EVERY_BYTES);
    const before = await heldBytes();
    allocateGarbage(24);
    countMoved(COLLECT_EVERY_BYTES / 2);
    expect(await heldBytes()).toBeGreaterThan(before + 20 * 1024 * 1024);
  });
});
