import { loadExpected, type ExpectedLoad, type ExpectedPathKind } from "../diff/load-expected.js";
import type { Reconciler } from "../diff/reconciler.js";
import type { ValidateOptions } from "../validate/validate-inputs.js";
import type { CommandContext } from "./command.js";

/** Loads `--expected` into the reconciler, with a progress display counting its records. */
export async function loadExpectedWithProgress(
  ctx: Pick<CommandContext, "progress">,
  paths: readonly ExpectedPathKind[],
  options: { reconciler: Reconciler; validate: ValidateOptions },
): Promise<ExpectedLoad> {
  const progress = ctx.progress({ label: "expected", unit: "records" });
  const expected = await loadExpected(paths, { ...options, onProgress: (n) => progress.set(n) });
  progress.done();
  return expected;
}
