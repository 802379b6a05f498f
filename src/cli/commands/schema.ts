import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { EngageError } from "../../core/errors.js";
import { DEFAULT_PROFILE } from "../../profile/default-profile.js";
import { renderImportXsd } from "../../render/import-xsd.js";
import { renderJsonSchemas } from "../../schemas/json-schemas.js";
import { defineCommand } from "../command.js";
import { plural } from "../../core/format-amount.js";

export const schemaCommand = defineCommand({
  command: "schema",
  describe:
    "Write the JSON Schemas of the inputs, the profile, the manifest and parsed export records, and the import XSD",
  options: {
    out: { type: "string", default: "schemas", describe: "Folder to write them into" },
  },
  async run(args, ctx) {
    const dir = resolve(ctx.cwd, args.out);
    const written: string[] = [];
    try {
      await mkdir(dir, { recursive: true });
      const files = new Map(renderJsonSchemas()).set(
        "promotion-import.xsd",
        renderImportXsd(DEFAULT_PROFILE),
      );
      for (const [name, text] of files) {
        const target = join(dir, name);
        await writeFile(`${target}.tmp`, text);
        await rename(`${target}.tmp`, target);
        written.push(name);
      }
    } catch (error) {
      throw new EngageError(
        "output_failed",
        "cli.schema_write_failed",
        `${dir}: cannot write (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    ctx.log.info(`wrote ${plural(written.length, "schema files")} into ${dir}`);
    return { status: "ok", exit: "ok", summary: { outDir: dir, files: written } };
  },
});
