import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../support/temp-dir.js";

const root = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const bundle = join(root, "dist", "bundle", "main.js");
const scheduling = readme.slice(readme.indexOf("## Scheduling"), readme.indexOf("## Exit codes\n"));

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** The cron line of the README's Scheduling section, without its schedule. */
function cronCommand(): string {
  const block = /```cron\n(.+)\n```/.exec(scheduling)?.[1];
  if (block === undefined) throw new Error("no cron block in the README's Scheduling section");
  return block.replace(/^(\S+\s+){5}/, "");
}

/** Each BashOperator's `bash_command` (Python's adjacent strings joined), with its params filled in. */
function airflowCommands(): Map<string, string> {
  const block = /```python\n([\s\S]+?)\n```/.exec(scheduling)?.[1];
  if (block === undefined) throw new Error("no python block in the README's Scheduling section");
  const out = new Map<string, string>();
  for (const task of block.split("BashOperator(").slice(1)) {
    const id = /task_id="([^"]+)"/.exec(task)?.[1] ?? "";
    const parts = /bash_command=\(([\s\S]+?)\n\s*\),/.exec(task)?.[1] ?? "";
    let command = [...parts.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!).join("");
    const params = /params=\{([^}]*)\}/.exec(task)?.[1] ?? "";
    for (const [, key, value] of params.matchAll(/"([^"]+)": "([^"]*)"/g))
      command = command.replaceAll(`{{ params.${key} }}`, value!);
    out.set(id, command);
  }
  return out;
}

/**
 * A machine in a folder: the README's absolute paths live below it, `engage-promo` is the built
 * CLI on PATH, the SFTP URLs point at local folders, and `mail` records that it was called.
 */
function machine(remote?: string): {
  dir: string;
  run: (
    command: string,
    cwd?: string,
    env?: NodeJS.ProcessEnv,
  ) => { status: number | null; stderr: string; stdout: string };
} {
  const dir = makeTempDir("engage-readme-");
  made.push(dir);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(
    join(bin, "engage-promo"),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bundle)} "$@"\n`,
  );
  writeFileSync(join(bin, "mail"), `#!/bin/sh\necho "$@" >> ${JSON.stringify(join(dir, "mailed"))}\n`);
  writeFileSync(join(bin, "sleep"), "#!/bin/sh\nexit 0\n");
  for (const name of ["engage-promo", "mail", "sleep"]) chmodSync(join(bin, name), 0o755);
  for (const folder of [
    "etc/engage",
    "srv/engage/in",
    "data/promotions",
    "data/engage",
    "var/lib/engage-promo",
    "var/log",
    "remote/promotions",
    "remote/export",
  ])
    mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, "etc/engage/passphrase"), "secret\n");
  writeFileSync(join(dir, "etc/engage/known_hosts"), "");
  writeFileSync(join(dir, "etc/engage/id_ed25519"), "");
  for (const input of ["definitions.csv", "assignments.csv"]) {
    cpSync(join(root, "samples", input), join(dir, "srv/engage/in", input));
    cpSync(join(root, "samples", input), join(dir, "data/promotions", input));
  }
  const localise = (command: string): string =>
    command
      .replaceAll(
        "sftp://acme@ftp.voyado.com/integration/promotions",
        remote ?? join(dir, "remote/promotions"),
      )
      .replaceAll("sftp://acme@ftp.voyado.com/integration/export", join(dir, "remote/export"))
      .replace(/(^|[\s="'(])\/(etc|srv|data|var)\//g, `$1${dir}/$2/`);
  const run = (command: string, cwd = mkdtempSync(join(dir, "task-")), env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync("bash", ["-c", localise(command)], {
      cwd,
      encoding: "utf8",
      env: {
        PATH: `${bin}:${process.env.PATH ?? ""}`,
        HOME: dir,
        ENGAGE_PROMO_SFTP_PASSPHRASE: "secret",
        ...env,
      },
    });
    return { status: r.status, stderr: r.stderr, stdout: r.stdout };
  };
  return { dir, run };
}

function lastJsonLine(text: string): Record<string, unknown> {
  const lines = text.trimEnd().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

describe("the README's scheduling examples", () => {
  it("cron: delivers once, appends one summary per night, sends nothing twice, mails nobody", () => {
    expect(existsSync(bundle), "run npm run build first").toBe(true);
    const { dir, run } = machine();
    const first = run(cronCommand());
    expect(first.status, first.stderr).toBe(0);
    expect(readdirSync(join(dir, "remote/promotions")).filter((f) => f.endsWith(".xml"))).toHaveLength(1);
    const again = run(cronCommand());
    expect(again.status, again.stderr).toBe(0);
    const summaries = readFileSync(join(dir, "var/log/engage-promo.jsonl"), "utf8").trimEnd().split("\n");
    expect(summaries).toHaveLength(2);
    expect(JSON.parse(summaries[0]!)).toMatchObject({ command: "run", status: "ok", exitCode: 0, sent: 1 });
    expect(JSON.parse(summaries[1]!)).toMatchObject({ command: "run", status: "ok", sent: 0, skipped: 1 });
    expect(existsSync(join(dir, "mailed"))).toBe(false);
  });

  it("cron: mails the exit code when the run fails", () => {
    const { dir, run } = machine();
    rmSync(join(dir, "srv/engage/in/assignments.csv"));
    const failed = run(cronCommand());
    expect(failed.status).toBe(0);
    expect(readFileSync(join(dir, "mailed"), "utf8")).toContain("exit 66");
    expect(lastJsonLine(readFileSync(join(dir, "var/log/engage-promo.jsonl"), "utf8"))).toMatchObject({
      exitCode: 66,
      error: { code: "read.file_missing" },
    });
  });

  it("Airflow: each task in a fresh folder delivers once, then reconciles the work folder with the export", () => {
    const { dir, run } = machine();
    const tasks = airflowCommands();
    expect([...tasks.keys()]).toEqual(["engage_promo_run", "engage_promo_reconcile"]);
    const deliver = run(tasks.get("engage_promo_run")!);
    expect(deliver.status, deliver.stderr).toBe(0);
    expect(lastJsonLine(deliver.stdout)).toMatchObject({ command: "run", status: "ok", sent: 1 });
    // A second try runs in another fresh temporary folder: the absolute work folder keeps the state.
    const retry = run(tasks.get("engage_promo_run")!);
    expect(lastJsonLine(retry.stdout)).toMatchObject({ sent: 0, skipped: 1 });
    expect(JSON.parse(readFileSync(join(dir, "var/lib/engage-promo/run.json"), "utf8"))).toMatchObject({
      skipped: 1,
    });
    // Engage picks up the delivered files and exports what it assigned.
    for (const f of readdirSync(join(root, "samples", "exports")))
      cpSync(join(root, "samples", "exports", f), join(dir, "remote/export", f));
    const reconcile = run(tasks.get("engage_promo_reconcile")!);
    expect(reconcile.status, reconcile.stderr).toBe(0);
    expect(lastJsonLine(reconcile.stdout)).toMatchObject({ command: "diff", exitCode: 0 });
    const diff = JSON.parse(readFileSync(join(dir, "var/lib/engage-promo/diff.json"), "utf8")) as {
      expected: { sources: { path: string; kind: string }[] };
    };
    expect(diff.expected.sources).toHaveLength(1);
    expect(diff.expected.sources[0]!.kind).toBe("manifest");
    expect(existsSync(join(dir, "data/engage/report.html"))).toBe(true);
  });

  it("Airflow: the run task gives up at once on a non-retryable exit", () => {
    const { dir, run } = machine();
    rmSync(join(dir, "data/promotions/definitions.csv"));
    const deliver = run(airflowCommands().get("engage_promo_run")!);
    expect(deliver.status).toBe(66);
    expect(lastJsonLine(deliver.stdout)).toMatchObject({ exitCode: 66 });
  });

  it("Airflow: the run task tries again on exit 69 only, and ends with 69 when the remote stays away", () => {
    // Nothing listens on port 1: every connection is refused.
    const { run } = machine("sftp://acme@127.0.0.1:1/integration/promotions");
    const deliver = run(airflowCommands().get("engage_promo_run")!, undefined, {
      ENGAGE_PROMO_RETRIES: "0",
      ENGAGE_PROMO_TIMEOUT_MS: "2000",
    });
    expect(deliver.status, deliver.stderr).toBe(69);
    const summaries = deliver.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(summaries).toHaveLength(4);
    for (const s of summaries)
      expect(s).toMatchObject({ exitCode: 69, error: { code: "transport.connection_lost" } });
  });
});
