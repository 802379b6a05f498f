// JSON array reading: `engage-promo validate` of one definitions file and a ~250 MB JSON array of
// 1,100,000 assignments. The array is streamed record by record (checked once, then read), so
// peak RSS must stay well under the file's size: target at most 200 MB; the speed is reported
// beside it (MB/s of the array). Each run is done ROUNDS times: the fastest time counts (the
// machine is shared) and the median peak RSS. Inputs are generated once into bench/.data/.
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { DATA, measureCli, report } from "./lib.mjs";

const RECORDS = 1_100_000;
const RSS_TARGET_MB = 200;
const ROUNDS = 3;

/** A GUID that differs per record and is the same on every run. */
function contactGuid(i) {
  const a = (Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, "0");
  return `${a}-6347-4d66-8b02-${i.toString(16).padStart(12, "0")}`;
}

/** Writes the array unless it exists: under a temporary name first, so a killed run leaves no half file. */
async function ensureArray(path) {
  if (existsSync(path)) return;
  const temp = `${path}.partial`;
  const out = createWriteStream(temp);
  let buffer = "[\n";
  for (let i = 0; i < RECORDS; i += 1) {
    // pretty-printed as exports often are, with a note that has escapes and non-ASCII text
    const from = i % 10 === 0 ? `,\n    "validFromDate": "2026-03-05"` : "";
    buffer += `  {\n    "externalPromotionId": "SPRING-26",\n    "promotionCodeId": "SPRING-26-${String(i + 1).padStart(7, "0")}",\n    "contactId": "${contactGuid(i)}"${from},\n    "note": "Kund ${i}: \\"välkommen\\" \\u00e5ter – ${"x".repeat(i % 40)}"\n  }${i + 1 < RECORDS ? "," : ""}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  out.end(`${buffer}]\n`);
  await once(out, "finish");
  renameSync(temp, path);
}

mkdirSync(DATA, { recursive: true });
const definitions = join(DATA, "json-read-definitions.csv");
if (!existsSync(definitions))
  writeFileSync(
    definitions,
    "externalPromotionId;promotionName;published;validFromDate;validToDate;posValueType;posValue\nSPRING-26;Spring 20%;true;2026-03-01;2026-03-31;PERCENT;20\n",
  );
const array = join(DATA, "json-read-assignments-1.1M.json");
await ensureArray(array);
const sizeMB = statSync(array).size / 1e6;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const walls = [];
const rsses = [];
let failed = false;
for (let round = 0; round < ROUNDS; round++) {
  const run = await measureCli(["validate", definitions, array, "--quiet", "--no-progress"]);
  const summary = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}");
  const records = summary.inputs?.find((i) => i.file === array)?.records;
  if (run.code !== 0 || records !== RECORDS) {
    console.log(
      `json read: exit ${run.code}, ${records} records (expected ${RECORDS})\n${run.stderr.slice(0, 2000)}`,
    );
    failed = true;
    break;
  }
  walls.push(run.wallMs / 1000);
  rsses.push(run.maxRssMB);
}
if (!failed) {
  const seconds = Math.min(...walls);
  const list = (values, digits) => values.map((v) => v.toFixed(digits)).join(", ");
  report({
    name: `json read: validate of a ${sizeMB.toFixed(0)} MB JSON array (${RECORDS} assignments), fastest of ${ROUNDS} (${list(walls, 2)} s)`,
    value: Number((sizeMB / seconds).toFixed(1)),
    unit: "MB/s",
    target: "none (speed shown beside the memory)",
  });
  const rss = Math.round(median(rsses));
  report({
    name: `json read: peak RSS, median of ${ROUNDS} (${list(rsses, 0)})`,
    value: rss,
    unit: "MB",
    target: `<= ${RSS_TARGET_MB} MB`,
    pass: rss <= RSS_TARGET_MB,
  });
}
process.exitCode = failed ? 1 : 0;
