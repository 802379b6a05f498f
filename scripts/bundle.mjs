// Bundles the command line into dist/bundle/ (one entry, lazily loaded chunks per command):
// loading a few files instead of a hundred modules cuts start-up time, which nightly jobs and
// many short invocations pay on every call. The SSH stack stays a plain dependency.
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli/main.ts"],
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  external: ["ssh2", "cpu-features"],
  // Bundled CommonJS code may call require(); give it one that resolves from the bundle.
  banner: {
    js: "import { createRequire as __engageRequire } from 'node:module'; const require = __engageRequire(import.meta.url);",
  },
  logLevel: "warning",
});
