import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const samples = join(import.meta.dirname, "..", "..", "samples");
const INPUTS = [join(samples, "definitions.csv"), join(samples, "assignments.csv")];

const made: string[] = [];
function tempDir(): string {
  const dir = makeTempDir("engage-pipes-");
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Dagster's `encode_param`: base64 of zlib-compressed JSON. */
function encodeParam(value: unknown): string {
  return deflateSync(Buffer.from(JSON.stringify(value), "utf8")).toString("base64");
}

const METHODS = [
  "opened",
  "closed",
  "log",
  "report_asset_materialization",
  "report_asset_check",
  "report_custom_message",
  "log_external_stream",
];
const METADATA_TYPES = [
  "__infer__",
  "text",
  "url",
  "path",
  "notebook",
  "json",
  "md",
  "float",
  "int",
  "bool",
  "dagster_run",
  "asset",
  "null",
  "table",
  "table_schema",
  "table_column_lineage",
  "timestamp",
];

interface Message {
  __dagster_pipes_version: string;
  method: string;
  params: Record<string, unknown> | null;
}

/** Reads the messages as Dagster's reader does (one JSON object a line) and checks each against the protocol. */
function readMessages(text: string): Message[] {
  const messages = text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Message);
  for (const m of messages) {
    expect(Object.keys(m).sort()).toEqual(["__dagster_pipes_version", "method", "params"]);
    expect(m.__dagster_pipes_version).toBe("0.1");
    expect(METHODS).toContain(m.method);
    if (m.method === "log") {
      expect(typeof m.params?.message).toBe("string");
      expect(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]).toContain(m.params?.level);
    }
    if (m.method === "report_asset_materialization" || m.method === "report_asset_check") {
      expect(typeof m.params?.asset_key).toBe("string");
      for (const value of Object.values(
        m.params?.metadata as Record<string, { raw_value: unknown; type: string }>,
      )) {
        expect(Object.keys(value).sort()).toEqual(["raw_value", "type"]);
        expect(METADATA_TYPES).toContain(value.type);
      }
    }
    if (m.method === "report_asset_check") {
      expect(typeof m.params?.check_name).toBe("string");
      expect(typeof m.params?.passed).toBe("boolean");
      expect(["WARN", "ERROR"]).toContain(m.params?.severity);
    }
  }
  expect(messages[0]?.method).toBe("opened");
  expect(messages.at(-1)?.method).toBe("closed");
  expect(messages.filter((m) => m.method === "opened" || m.method === "closed")).toHaveLength(2);
  return messages;
}

describe("Dagster Pipes", () => {
  it("reports a run to the messages file: opened, its log lines, the materialization with its counts, closed", async () => {
    const dir = tempDir();
    const contextFile = join(dir, "context.json");
    writeFileSync(
      contextFile,
      JSON.stringify({ asset_keys: ["engage/promotions"], run_id: "r-1", retry_number: 0, extras: {} }),
    );
    const messagesFile = join(dir, "messages.ndjson");
    const run = await runCli(
      ["run", ...INPUTS, "--to", join(dir, "outbox"), "--work-dir", join(dir, "work")],
      {
        env: {
          DAGSTER_PIPES_CONTEXT: encodeParam({ path: contextFile }),
          DAGSTER_PIPES_MESSAGES: encodeParam({ path: messagesFile }),
        },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const messages = readMessages(readFileSync(messagesFile, "utf8"));
    expect(
      messages.some((m) => m.method === "log" && String(m.params?.message).includes("sent and verified")),
    ).toBe(true);
    const materialized = messages.filter((m) => m.method === "report_asset_materialization");
    expect(materialized).toHaveLength(1);
    expect(materialized[0]!.params).toMatchObject({
      asset_key: "engage/promotions",
      data_version: null,
      metadata: {
        status: { raw_value: "ok", type: "text" },
        exitCode: { raw_value: 0, type: "int" },
        sent: { raw_value: 1, type: "int" },
        skipped: { raw_value: 0, type: "int" },
        files: { type: "json" },
      },
    });
    const files = (
      materialized[0]!.params!.metadata as { files: { raw_value: { name: string; assignments: number }[] } }
    ).files.raw_value;
    expect(files).toHaveLength(1);
    expect(files[0]!.assignments).toBeGreaterThan(0);
    expect(messages.at(-1)!.params).toEqual({});
    // stdout still holds only the summary line.
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("reports a failed run on stderr: no materialization, a failed check, closed with the error", async () => {
    const dir = tempDir();
    const run = await runCli(
      ["run", join(dir, "missing.csv"), "--to", join(dir, "outbox"), "--work-dir", join(dir, "work")],
      {
        env: {
          DAGSTER_PIPES_CONTEXT: encodeParam({
            data: {
              asset_keys: ["promotions"],
              run_id: "r-2",
              retry_number: 0,
              extras: { check_name: "delivered" },
            },
          }),
          DAGSTER_PIPES_MESSAGES: encodeParam({ stdio: "stderr" }),
        },
      },
    );
    expect(run.code).toBe(66);
    const lines = run.stderr.split("\n").filter((l) => l.startsWith('{"__dagster_pipes_version"'));
    const messages = readMessages(lines.join("\n"));
    expect(messages.some((m) => m.method === "report_asset_materialization")).toBe(false);
    expect(messages.find((m) => m.method === "report_asset_check")?.params).toMatchObject({
      asset_key: "promotions",
      check_name: "delivered",
      passed: false,
    });
    expect(messages.at(-1)!.params).toMatchObject({ exception: { name: "read.file_missing" } });
  });

  it("stays silent without the two variables", async () => {
    const dir = tempDir();
    const run = await runCli(["validate", ...INPUTS], {
      env: { DAGSTER_PIPES_MESSAGES: encodeParam({ path: join(dir, "m") }) },
    });
    expect(run.code).toBe(0);
    expect(() => readFileSync(join(dir, "m"))).toThrow();
  });

  it("exits 78 for a variable that is not Pipes' encoding", async () => {
    const run = await runCli(["validate", ...INPUTS], {
      env: { DAGSTER_PIPES_CONTEXT: "{}", DAGSTER_PIPES_MESSAGES: "x" },
    });
    expect(run.code).toBe(78);
    expect((run.summary.error as { message: string }).message).toContain("DAGSTER_PIPES_CONTEXT");
  });
});
