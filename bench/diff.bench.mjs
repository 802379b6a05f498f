// Reconcile speed and memory: `engage-promo diff` of a render manifest holding 1,000,000 expected
// assignments against export files holding 1,000,000 records, parsing included (targets: at most
// 45 s wall time and 1 GB peak RSS). The manifest, its keys file and the exports are generated
// once into bench/.data/diff-1m/ and reused.
//
// The exports are mixed the way a real month looks: 95% of the expected assignments come back as
// `assigned` (1 in 50 of them with a different expiry, so mismatched), 5% never come back
// (missing), 3% are then redeemed in later files, and 2% of all records are assignments nothing
// expected (unexpected). 950,000 + 30,000 + 20,000 = 1,000,000 records in 50 files.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, DATA, measureCli, report } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const EXPECTED = 1_000_000;
const RECORDS_PER_FILE = 20_000;
const PROMOTIONS = 20;
const WALL_TARGET_S = 45;
const RSS_TARGET_MB = 1024;
// Bump when the generated data changes shape, so a stale cache is rebuilt.
const DATA_VERSION = "1";

const root = join(DATA, "diff-1m");
const renderDir = join(root, "render");
const exportsDir = join(root, "exports");

/** A GUID that differs per contact and is the same on every run. */
function contactGuid(i) {
  const a = (Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, "0");
  return `${a}-6347-4d66-8b02-${i.toString(16).padStart(12, "0")}`;
}

const promotionOf = (i) => `BENCH-${String(i % PROMOTIONS).padStart(2, "0")}`;
const isMissing = (i) => i % 20 === 7; // 5%
const isMismatched = (i) => i % 50 === 3; // 2%
const isRedeemed = (i) => i % 100 < 3 && !isMissing(i); // 3%

/** Writes `lines()` to `path` in large pieces, honouring backpressure; returns the sha256 and line count. */
async function writeLines(path, lines) {
  const out = createWriteStream(path);
  const hash = createHash("sha256");
  let buffer = "";
  let count = 0;
  for (const line of lines()) {
    buffer += line;
    count += 1;
    if (buffer.length > 1 << 20) {
      hash.update(buffer);
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  hash.update(buffer);
  out.end(buffer);
  await once(out, "finish");
  return { sha256: hash.digest("hex"), lines: count };
}

function* keyLines() {
  for (let i = 0; i < EXPECTED; i += 1) {
    const file = `20260301020000_promotions_${String(Math.floor(i / 20_000) + 1).padStart(4, "0")}.xml`;
    const id = promotionOf(i);
    const from = i % 10 === 0 ? `,"validFromDate":"2026-03-05"` : "";
    yield `{"file":"${file}","externalPromotionId":"${id}","promotionCodeId":"${id}-${String(i + 1).padStart(7, "0")}","contactId":"${contactGuid(i)}"${from},"at":{"file":"assignments.csv","line":${i + 2}}}\n`;
  }
}

function recordXml(kind, i, promotion, options = {}) {
  const from = i % 10 === 0 ? "2026-03-05" : "2026-03-01";
  const expire = options.mismatched ? "2026-05-01T00:00:00+02:00" : "2026-04-01T00:00:00+02:00";
  const redeemed =
    kind === "redeemed"
      ? `
    <storeId>1005</storeId>
    <storeType>RETAIL</storeType>
    <redeemedDateTime>2026-03-09T14:12:50.0168149+01:00</redeemedDateTime>`
      : "";
  return `  <${kind}>
    <contactId>${contactGuid(i)}</contactId>
    <contactKey>${String(4_000_000 + i).padStart(10, "0")}</contactKey>
    <contactType>Member</contactType>
    <couponId>${(Math.imul(i + 7, 40503) >>> 0).toString(16).padStart(8, "0")}-eb7b-4857-8c05-${i.toString(16).padStart(12, "0")}</couponId>
    <description>20% off everything, in store and online</description>
    <promotionId>44a0f722-1f28-4965-a648-a8e8010c86d5</promotionId>
    <externalPromotionId>${promotion}</externalPromotionId>
    <validFromDate>${from}T00:00:00+01:00</validFromDate>
    <expireDateTime>${expire}</expireDateTime>
    <redemptionChannels>
      <redemptionChannel>
        <type>POS</type>
        <valuetype>PERCENT</valuetype>
        <value>20.00</value>
      </redemptionChannel>
      <redemptionChannel>
        <type>ECOM</type>
        <valuetype>PERCENT</valuetype>
        <value>20.00</value>
      </redemptionChannel>
    </redemptionChannels>${redeemed}
  </${kind}>
`;
}

/** Every export record in the order Engage would write them: assignments, then unexpected ones, then redemptions. */
function* exportRecords() {
  for (let i = 0; i < EXPECTED; i += 1)
    if (!isMissing(i))
      yield ["assigned", recordXml("assigned", i, promotionOf(i), { mismatched: isMismatched(i) })];
  for (let u = 0; u < 20_000; u += 1) yield ["assigned", recordXml("assigned", EXPECTED + u, "BENCH-OTHER")];
  for (let i = 0; i < EXPECTED; i += 1)
    if (isRedeemed(i)) yield ["redeemed", recordXml("redeemed", i, promotionOf(i))];
}

async function generate() {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(renderDir, { recursive: true });
  mkdirSync(exportsDir, { recursive: true });
  const keys = await writeLines(join(renderDir, "manifest.keys.ndjson"), keyLines);
  const promotions = Array.from({ length: PROMOTIONS }, (_, p) => ({
    externalPromotionId: `BENCH-${String(p).padStart(2, "0")}`,
    promotionName: `Bench ${p}`,
    validFromDate: "2026-03-01",
    validToDate: "2026-03-31",
    redemptionChannels: [
      { type: "POS", valueType: "PERCENT", value: "20" },
      { type: "ECOM", valueType: "PERCENT", value: "20" },
    ],
    at: { file: "definitions.csv", line: p + 2 },
  }));
  const files = Array.from({ length: EXPECTED / 20_000 }, (_, f) => ({
    name: `20260301020000_promotions_${String(f + 1).padStart(4, "0")}.xml`,
    sha256: "0".repeat(64),
    bytes: 0,
    counts: { promotions: f === 0 ? PROMOTIONS : 0, assignments: 20_000 },
    promotions: f === 0 ? promotions.map((p) => p.externalPromotionId) : [],
    keyLines: [f * 20_000 + 1, (f + 1) * 20_000],
    deliveries: {},
  }));
  const manifest = {
    manifestVersion: 1,
    tool: "engage-promo bench",
    timestamp: "2026-03-01T02:00:00.000Z",
    profile: "default",
    inputs: [],
    counts: { promotions: PROMOTIONS, assignments: EXPECTED, rejected: 0, files: files.length },
    files,
    promotions,
    keys: { file: "manifest.keys.ndjson", sha256: keys.sha256, lines: keys.lines },
  };
  writeFileSync(join(renderDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);

  let file = 0;
  let kind = "";
  let count = 0;
  let out;
  let buffer = "";
  const close = async () => {
    if (!out) return;
    out.end(`${buffer}</promotions>\n`);
    buffer = "";
    await once(out, "finish");
    out = undefined;
  };
  for (const [k, xml] of exportRecords()) {
    if (!out || count === RECORDS_PER_FILE || k !== kind) {
      await close();
      file += 1;
      kind = k;
      count = 0;
      // Engage's naming: a timestamp prefix, so file-name order is the order it wrote them.
      const stamp = `202603${String(2 + Math.floor(file / 24)).padStart(2, "0")}${String(file % 24).padStart(2, "0")}0000`;
      out = createWriteStream(join(exportsDir, `${stamp}_${String(file).padStart(3, "0")}_${k}.xml`));
      buffer = `<?xml version="1.0" encoding="UTF-8"?>\n<promotions>\n`;
    }
    buffer += xml;
    count += 1;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  await close();
  writeFileSync(join(root, "READY"), DATA_VERSION);
}

/** Sums the sizes of the export files. */
function exportBytes() {
  return readdirSync(exportsDir).reduce((total, name) => total + statSync(join(exportsDir, name)).size, 0);
}

/** True when the built CLI knows the diff command. */
async function cliHasDiff() {
  const run = await measureCli(["diff", "--help"]);
  return run.code === 0 && run.stdout.includes("--expected");
}

/**
 * Until the command is registered, the same work (manifest, export parsing, reconcile, JSON
 * report) runs from the built modules in a child process, measured the way measureCli measures.
 */
async function measureModules(out) {
  const rssDir = mkdtempSync(join(tmpdir(), "bench-rss-"));
  const rssFile = join(rssDir, "rss");
  const started = process.hrtime.bigint();
  const code = await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", join(here, "report-rss.mjs"), fileURLToPath(import.meta.url), "--child", out],
      {
        env: { ...process.env, BENCH_RSS_FILE: rssFile },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    child.on("error", reject);
    child.on("close", resolve);
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const maxRssMB = Number(readFileSync(rssFile, "utf8")) / 1024 / 1024;
  rmSync(rssDir, { recursive: true, force: true });
  return { code, wallMs, maxRssMB };
}

async function child(out) {
  const dist = join(here, "..", "dist");
  const load = (p) => import(join(dist, p));
  const { DEFAULT_PROFILE } = await load("profile/default-profile.js");
  const { Reconciler } = await load("diff/reconciler.js");
  const { loadManifest } = await load("diff/load-manifest.js");
  const { listExportFiles, readExports } = await load("diff/read-actual.js");
  const { formatReport } = await load("diff/format-report.js");
  const { writeReportFile } = await load("diff/write-report.js");
  const reconciler = new Reconciler({ match: "contactId" });
  const expected = await loadManifest(
    join(renderDir, "manifest.json"),
    join(renderDir, "manifest.json"),
    reconciler,
  );
  const listed = await listExportFiles([exportsDir], process.cwd());
  const actual = await readExports(listed.files, { profile: DEFAULT_PROFILE, reconciler });
  const result = reconciler.finish();
  const reportValue = {
    match: "contactId",
    counts: result.counts,
    expectedAssignments: result.expectedAssignments,
    exportRecords: result.exportRecords,
    sources: {
      expected: [{ path: renderDir, kind: "manifest", count: expected.assignments }],
      actual: actual.sources,
    },
    issues: [...expected.issues, ...actual.issues, ...result.issues],
    entries: (c) => result.entries(c),
  };
  await writeReportFile(formatReport("json", reportValue, { showPersonalData: false }), out, out);
  console.log(JSON.stringify({ counts: result.counts, issues: reportValue.issues.length }));
}

if (process.argv[2] === "--child") {
  await child(process.argv[3]);
} else {
  mkdirSync(DATA, { recursive: true });
  const ready = existsSync(join(root, "READY")) && readFileSync(join(root, "READY"), "utf8") === DATA_VERSION;
  if (!ready) {
    const t = Date.now();
    console.log("generating bench/.data/diff-1m (once) …");
    await generate();
    console.log(`generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const mb = exportBytes() / 1024 / 1024;
  const dir = mkdtempSync(join(tmpdir(), "bench-diff-"));
  const out = join(dir, "diff.json");
  let run;
  let via;
  if (existsSync(CLI) && (await cliHasDiff())) {
    via = "cli";
    run = await measureCli([
      "diff",
      "--expected",
      renderDir,
      "--actual",
      exportsDir,
      "--format",
      "json",
      "--out",
      out,
      "--no-progress",
    ]);
    if (run.code !== 0) console.error(run.stderr);
    else console.log(run.stdout.trim().split("\n").at(-1));
  } else {
    via = "modules (diff command not registered in the built CLI yet)";
    run = await measureModules(out);
  }
  const reportMB = existsSync(out) ? statSync(out).size / 1024 / 1024 : 0;
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `1,000,000 expected vs 1,000,000 export records (${mb.toFixed(0)} MB of XML), JSON report ${reportMB.toFixed(0)} MB, measured via ${via}`,
  );
  const seconds = run.wallMs / 1000;
  const ok = run.code === 0;
  report({
    name: "diff 1M expected vs 1M exported: wall time",
    value: Number(seconds.toFixed(1)),
    unit: "s",
    target: `<= ${WALL_TARGET_S} s`,
    pass: ok && seconds <= WALL_TARGET_S,
  });
  report({
    name: "diff 1M expected vs 1M exported: peak RSS",
    value: Math.round(run.maxRssMB),
    unit: "MB",
    target: `<= ${RSS_TARGET_MB} MB`,
    pass: ok && run.maxRssMB <= RSS_TARGET_MB,
  });
  if (!ok) process.exitCode = 1;
}
