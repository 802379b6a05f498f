// Bundles the command line into dist/bundle/ (one entry, lazily loaded chunks per command):
// loading a few files instead of a hundred modules cuts start-up time, which nightly jobs and
// many short invocations pay on every call. The SSH stack stays a plain dependency.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { build } from "esbuild";

/**
 * zod's namespace carries every locale it ships (340 KB of the 750 KB it adds to a command that
 * validates anything), and no code here asks for one: only English, zod's default, is kept, so
 * the chunk that `upload` loads while it connects is less than half the size to compile.
 */
const englishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core|mini)$/.test(args.resolveDir)
        ? { path: join(dirname(args.resolveDir), "locales", "index.js"), namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), "en.js"))};`,
      loader: "js",
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * The argument parser's width helpers (three copies of string-width) set up their state when
 * they load: an Intl.Segmenter (about 25 ms for ICU to make) and Unicode-property regular
 * expressions (17 ms more), some 60 ms of every start-up, `--version` included, for a width
 * only help text ever asks for. Each module's body runs on the first call instead.
 */
const lazyStringWidth = {
  name: "lazy-string-width",
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const lines = source.split("\n");
      const imports = lines.filter((line) => line.startsWith("import "));
      const body = lines.filter((line) => !line.startsWith("import ")).join("\n");
      const entry = "export default function stringWidth(";
      if (body.split(entry).length !== 2 || /^export /m.test(body.replace(entry, "")))
        throw new Error(
          `${args.path}: not the one default export expected; review the lazy-string-width step`,
        );
      return {
        contents: [
          ...imports,
          "let loaded;",
          "export default function stringWidth(...args) {",
          "  loaded ??= load();",
          "  return loaded(...args);",
          "}",
          "function load() {",
          body.replace(entry, "function stringWidth("),
          "return stringWidth;",
          "}",
        ].join("\n"),
        loader: "js",
      };
    });
  },
};

const OUT = "dist/bundle";
const result = await build({
  metafile: true,
  entryPoints: { main: "src/cli/entry.ts" },
  outdir: OUT,
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
  plugins: [englishOnly, lazyStringWidth],
  logLevel: "warning",
});

// Chunk names carry a hash of their content: the chunks of earlier builds are removed once this
// build's are written, so the folder holds only what the entry can load.
const current = new Set(Object.keys(result.metafile.outputs).map((path) => basename(path)));
for (const name of readdirSync(OUT)) if (!current.has(name)) rmSync(join(OUT, name), { force: true });
