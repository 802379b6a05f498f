// Parse speed and memory: `engage-promo parse` of a ~500 MB export to NDJSON against
// `xmllint --stream --noout` on the same file in the same run (target: at least 0.5× its MB/s,
// medians of alternating runs), peak RSS at most 120 MB, and flat in file size (a 100 MB export
// beside the 500 MB one). The exports are generated once into bench/.data/ and reused: realistic
// records of every kind, most with two redemption channels, pretty-printed as Engage does.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATA, measureCli, report } from "./lib.mjs";

const MB = 1024 * 1024;
const RATIO_TARGET = 0.5;
const RSS_TARGET_MB = 120;
// Growth of peak RSS from the 100 MB to the 500 MB export that still counts as flat.
const RSS_GROWTH_MB = 15;
const RUNS = Number(process.env.BENCH_PARSE_RUNS ?? 3);

/** A GUID that differs per record and salt, and is the same on every run. */
function guid(i, salt) {
  const a = (Math.imul(i + 1, 2654435761) ^ salt) >>> 0;
  const b = (Math.imul(i + 7, 40503) ^ salt) >>> 0;
  return `${a.toString(16).padStart(8, "0")}-${(b & 0xffff).toString(16).padStart(4, "0")}-4${(salt & 0xfff).toString(16).padStart(3, "0")}-8${(b >>> 20).toString(16).padStart(3, "0")}-${i.toString(16).padStart(12, "0")}`;
}

const PROMOTIONS = [
  {
    id: "SPRING-26",
    description: "20% off everything, in store and online",
    pos: ["PERCENT", "20.00", "Scan the member card"],
    ecom: ["PERCENT", "20.00"],
  },
  {
    id: "SHOES-100",
    description: "100 kronor off any pair of shoes",
    pos: ["MONEY", "100.00", "Only full-price shoes"],
    ecom: ["EXTERNALOFFER", "10OFFSHOES"],
  },
  {
    id: "MÅNADENS-ERBJUDANDE",
    description: "Månadens erbjudande &amp; en gåva",
    pos: ["MANUAL", "Free gift", "Hand over the gift"],
  },
  { id: "WEB-ONLY", description: "Web only: free shipping", ecom: ["EXTERNALOFFER", "FREESHIP"] },
];

function record(i) {
  const kind = i % 10 < 6 ? "assigned" : i % 10 < 9 ? "redeemed" : "deleted";
  const promotion = PROMOTIONS[i % PROMOTIONS.length];
  const day = String(1 + (i % 28)).padStart(2, "0");
  let xml = `  <${kind}>
    <contactId>${guid(i, 0x5bd1)}</contactId>
    <contactKey>${String(4398423 + i).padStart(10, "0")}</contactKey>
    <contactType>Member</contactType>
    <couponId>${guid(i, 0x1e35)}</couponId>
    <description>${promotion.description}</description>
    <promotionId>44a0f722-1f28-4965-a648-a8e8010c86d${i % PROMOTIONS.length}</promotionId>
    <externalPromotionId>${promotion.id}</externalPromotionId>
    <validFromDate>2026-03-${day}T00:00:00+01:00</validFromDate>
    <expireDateTime>2026-04-01T00:00:00+02:00</expireDateTime>
`;
  if (promotion.pos || promotion.ecom) {
    xml += "    <redemptionChannels>\n";
    for (const [type, channel] of [
      ["POS", promotion.pos],
      ["ECOM", promotion.ecom],
    ]) {
      if (!channel) continue;
      xml += `      <redemptionChannel>
        <type>${type}</type>
        <valuetype>${channel[0]}</valuetype>
        <value>${channel[1]}</value>
${channel[2] ? `        <instruction>${channel[2]}</instruction>\n` : ""}      </redemptionChannel>
`;
    }
    xml += "    </redemptionChannels>\n";
  }
  if (promotion.pos?.[0] === "MONEY") xml += "    <currency>SEK</currency>\n";
  if (kind === "redeemed") {
    const second = String(i % 60).padStart(2, "0");
    xml += `    <storeId>${1000 + (i % 97)}</storeId>
    <storeType>${i % 4 === 0 ? "ECOM" : "RETAIL"}</storeType>
    <redeemedDateTime>2026-03-${day}T14:12:${second}.${String(i % 10_000_000).padStart(7, "0")}+01:00</redeemedDateTime>
`;
  }
  return `${xml}  </${kind}>\n`;
}

/** Writes the export unless it exists: under a temporary name first, so a killed run leaves no half file. */
async function ensureExport(path, targetBytes) {
  if (existsSync(path)) return;
  const temp = `${path}.partial`;
  const out = createWriteStream(temp);
  let buffer = '<?xml version="1.0" encoding="UTF-8"?>\n<promotions>\n';
  let written = 0;
  for (let i = 0; written + buffer.length < targetBytes; i += 1) {
    buffer += record(i);
    if (buffer.length > 1 << 20) {
      written += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  out.end(`${buffer}</promotions>\n`);
  await once(out, "finish");
  renameSync(temp, path);
}

/** Wall time of `xmllint --stream --noout <file>`, which reads the file as a stream and checks it is well-formed. */
async function measureXmllint(file) {
  const started = process.hrtime.bigint();
  const { code, stderr } = await new Promise((resolve, reject) => {
    const child = spawn("xmllint", ["--stream", "--noout", file], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c, stderr: err }));
  });
  return { code, stderr, wallMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function parseOnce(file, out) {
  const run = await measureCli(["parse", file, "--format", "ndjson", "--out", out, "--quiet"]);
  if (run.code !== 0) throw new Error(`parse exited ${run.code}\n${run.stderr.slice(0, 2000)}`);
  return run;
}

mkdirSync(DATA, { recursive: true });
const file = join(DATA, "parse-export-500mb.xml");
const small = join(DATA, "parse-export-100mb.xml");
await ensureExport(file, 500 * MB);
await ensureExport(small, 100 * MB);
const sizeMB = statSync(file).size / MB;

const dir = mkdtempSync(join(tmpdir(), "bench-parse-"));
let failed = false;
try {
  const out = join(dir, "records.ndjson");
  // Alternating runs, so a change in the machine's load falls on both sides alike.
  const ours = [];
  const theirs = [];
  let summary = {};
  for (let i = 0; i < RUNS; i += 1) {
    const run = await parseOnce(file, out);
    summary = JSON.parse(run.stdout.trimEnd().split("\n").pop() ?? "{}");
    ours.push(run);
    const lint = await measureXmllint(file);
    if (lint.code !== 0) throw new Error(`xmllint exited ${lint.code}\n${lint.stderr.slice(0, 2000)}`);
    theirs.push(lint);
  }
  const oursMBs = median(ours.map((r) => sizeMB / (r.wallMs / 1000)));
  const theirsMBs = median(theirs.map((r) => sizeMB / (r.wallMs / 1000)));
  const ratio = oursMBs / theirsMBs;
  const rss = median(ours.map((r) => r.maxRssMB));
  const smallRss = (await parseOnce(small, out)).maxRssMB;
  console.log(
    `parsed ${summary.records ?? "?"} records (${sizeMB.toFixed(0)} MB): engage-promo parse ${oursMBs.toFixed(1)} MB/s, ` +
      `xmllint --stream ${theirsMBs.toFixed(1)} MB/s (medians of ${RUNS} alternating runs each)`,
  );
  report({
    name: "parse 500 MB export → NDJSON, speed against xmllint --stream",
    value: Number(ratio.toFixed(2)),
    unit: "×",
    target: `≥ ${RATIO_TARGET} × (${oursMBs.toFixed(1)} MB/s against ${theirsMBs.toFixed(1)} MB/s)`,
    pass: ratio >= RATIO_TARGET,
  });
  report({
    name: "parse 500 MB export → NDJSON, peak RSS",
    value: Number(rss.toFixed(0)),
    unit: "MB",
    target: `≤ ${RSS_TARGET_MB} MB`,
    pass: rss <= RSS_TARGET_MB,
  });
  report({
    name: "parse peak RSS growth from a 100 MB to a 500 MB export",
    value: Number((rss - smallRss).toFixed(0)),
    unit: "MB",
    target: `≤ ${RSS_GROWTH_MB} MB (${smallRss.toFixed(0)} MB → ${rss.toFixed(0)} MB)`,
    pass: rss - smallRss <= RSS_GROWTH_MB,
  });
  failed ||= ratio < RATIO_TARGET || !(rss <= RSS_TARGET_MB) || !(rss - smallRss <= RSS_GROWTH_MB);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
