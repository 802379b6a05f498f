// Render speed and memory: `engage-promo render` of 1,000,000 and 2,000,000 assignments of one
// promotion. Targets: at most 10 s wall time for 1M; at most 250 MB peak RSS for 1M and for 2M;
// memory flat as the input grows, that is 2M needing at most 10 MB more than 1M. Each size runs
// ROUNDS times: the fastest round's time counts (the machine is shared, so slow rounds measure
// the neighbours) and the median peak RSS (it wobbles with when the collector runs).
// Input CSVs are generated once into bench/.data/ and reused.
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
} from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATA, measureCli, report } from "./lib.mjs";

const TIMESTAMP = "2026-03-01T02:00:00Z";
const WALL_TARGET_S = 10;
const RSS_TARGET_MB = 250;
const GROWTH_TARGET_MB = 10;
const ROUNDS = 3;

const DEFINITIONS_HEADER =
  "externalPromotionId;promotionName;published;validFromDate;validToDate;heading;description;posValueType;posValue;posInstruction;ecomValueType;ecomValue;ecomInstruction";
const ASSIGNMENTS_HEADER = "externalPromotionId;promotionCodeId;contactId;externalContactId;validFromDate";

/** A GUID that differs per row and is the same on every run. */
function contactGuid(i) {
  const a = (Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, "0");
  return `${a}-6347-4d66-8b02-${i.toString(16).padStart(12, "0")}`;
}

/** Writes `path` unless it exists: written under a temporary name first, so a killed run leaves no half file. */
async function ensureFile(path, lines) {
  if (existsSync(path)) return;
  const temp = `${path}.partial`;
  const out = createWriteStream(temp);
  let buffer = "";
  for (const line of lines()) {
    buffer += line;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  out.end(buffer);
  await once(out, "finish");
  renameSync(temp, path);
}

function* definitionLines() {
  yield `${DEFINITIONS_HEADER}\n`;
  yield "SPRING-26;Spring 20%;true;2026-03-01;2026-03-31;Spring sale;20% off everything;PERCENT;20;Scan the member card;PERCENT;20;\n";
}

function assignmentLines(rows) {
  return function* () {
    yield `${ASSIGNMENTS_HEADER}\n`;
    for (let i = 0; i < rows; i += 1) {
      // Every tenth contact gets its own start date, as a real batch might.
      const from = i % 10 === 0 ? "2026-03-05" : "";
      yield `SPRING-26;SPRING-26-${String(i + 1).padStart(7, "0")};${contactGuid(i)};;${from}\n`;
    }
  };
}

mkdirSync(DATA, { recursive: true });
const definitions = join(DATA, "render-definitions.csv");
await ensureFile(definitions, definitionLines);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Renders `assignments` ROUNDS times; the fastest wall time and the median peak RSS, or undefined on failure. */
async function measureRender(label, assignments, rows) {
  const walls = [];
  const rsses = [];
  for (let round = 0; round < ROUNDS; round++) {
    const out = mkdtempSync(join(tmpdir(), "bench-render-"));
    try {
      const run = await measureCli([
        "render",
        definitions,
        assignments,
        "--out",
        out,
        "--timestamp",
        TIMESTAMP,
        "--quiet",
      ]);
      const expectedFiles = Math.ceil(rows / 20_000);
      const written = readdirSync(out).filter((f) => f.endsWith("_promotions.xml")).length;
      if (run.code !== 0 || written !== expectedFiles) {
        console.log(
          `render ${label}: exit ${run.code}, ${written} files (expected ${expectedFiles})\n${run.stderr.slice(0, 2000)}`,
        );
        return undefined;
      }
      walls.push(run.wallMs / 1000);
      rsses.push(run.maxRssMB);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return { seconds: Math.min(...walls), rss: median(rsses), walls, rsses };
}

const rssByRows = new Map();
let failed = false;
for (const rows of [1_000_000, 2_000_000]) {
  const label = `${rows / 1_000_000}M`;
  const assignments = join(DATA, `render-assignments-${label}.csv`);
  await ensureFile(assignments, assignmentLines(rows));
  const m = await measureRender(label, assignments, rows);
  if (m === undefined) {
    failed = true;
    continue;
  }
  const seconds = Number(m.seconds.toFixed(2));
  const rss = Math.round(m.rss);
  rssByRows.set(rows, m.rss);
  const list = (values, digits) => values.map((v) => v.toFixed(digits)).join(", ");
  // The time target is for 1M rows; 2M is there to show memory stays flat.
  report({
    name: `render ${label} assignments (${Math.ceil(rows / 20_000)} files): wall time, fastest of ${ROUNDS} (${list(m.walls, 2)})`,
    value: seconds,
    unit: "s",
    target: rows === 1_000_000 ? `<= ${WALL_TARGET_S} s` : "none (memory check)",
    ...(rows === 1_000_000 ? { pass: seconds <= WALL_TARGET_S } : {}),
  });
  report({
    name: `render ${label} assignments: peak RSS, median of ${ROUNDS} (${list(m.rsses, 0)})`,
    value: rss,
    unit: "MB",
    target: `<= ${RSS_TARGET_MB} MB`,
    pass: rss <= RSS_TARGET_MB,
  });
}

const rss1 = rssByRows.get(1_000_000);
const rss2 = rssByRows.get(2_000_000);
if (rss1 !== undefined && rss2 !== undefined) {
  const growth = Math.round(rss2 - rss1);
  report({
    name: "render peak RSS growth from 1M to 2M assignments (medians)",
    value: growth,
    unit: "MB",
    target: `<= ${GROWTH_TARGET_MB} MB`,
    pass: growth <= GROWTH_TARGET_MB,
  });
} else {
  failed = true;
}
process.exitCode = failed ? 1 : 0;
