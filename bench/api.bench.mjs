// Bulk redemption over the REST API: 10,000 redemptions by `engage-promo api redeem` at its
// default concurrency against the local fake Engage answering every call after 20 ms. Reports
// redemptions per second, the client's CPU per redemption (its own process.cpuUsage), and the
// share of the rate the concurrency allows (concurrency / latency). Target: at least 90 %.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { register } from "tsx/esm/api";
import { CLI, DATA, ROOT, report } from "./lib.mjs";

register();
const { FakeEngage } = await import("../test/support/fake-engage.ts");

const ROWS = 10_000;
const LATENCY_MS = 20;
const CONCURRENCY = 8; // the command's default
const TARGET = 0.9;

const root = join(DATA, "api");
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
const fake = await new FakeEngage({ apiKey: "bench-key", latencyMs: LATENCY_MS }).start();
const promotion = fake.addPromotion("BENCH");
const lines = ["id;contactId;redemptionChannel"];
for (let i = 1; i <= ROWS; i += 1) {
  const contactId = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  lines.push(`${fake.assign(promotion, contactId).id};${contactId};POS`);
}
const input = join(root, "redemptions.csv");
writeFileSync(input, `${lines.join("\n")}\n`);
const cpuFile = join(root, "cpu.json");
const preload = join(root, "cpu.mjs");
writeFileSync(
  preload,
  `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(cpuFile)}, JSON.stringify(process.cpuUsage())));\n`.replace(
    'require("node:fs")',
    "process.getBuiltinModule('node:fs')",
  ),
);

const fakeCpu = process.cpuUsage();
const started = process.hrtime.bigint();
const code = await new Promise((resolve, reject) => {
  const child = spawn(
    process.execPath,
    ["--import", preload, CLI, "api", "redeem", input, "--api-url", fake.url, "--quiet"],
    {
      cwd: ROOT,
      env: { ...process.env, ENGAGE_PROMO_API_KEY: "bench-key" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  child.on("error", reject);
  child.on("close", resolve);
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const serverCpu = process.cpuUsage(fakeCpu);
await fake.stop();
const redeemed = [...fake.assignments.values()].filter((a) => a.redeemCount === 1).length;
if (code !== 0 || redeemed !== ROWS) {
  console.error(`api redeem exited ${code}; ${redeemed} of ${ROWS} redeemed once`);
  process.exit(1);
}
const cpu = JSON.parse(readFileSync(cpuFile, "utf8"));
// The rate the concurrency allows is a rate of calls in flight: it is measured from the first
// call's arrival to the last answer, as the fake saw them. The whole process's rate (start-up,
// reading and checking the input, the last journal sync included) is reported beside it.
const callSeconds = (fake.lastAnswerAt - fake.firstRequestAt) / 1000;
const rate = ROWS / callSeconds;
const wallRate = ROWS / seconds;
const allowed = CONCURRENCY / (LATENCY_MS / 1000);
const share = rate / allowed;
report({
  name: "api redeem 10k at 20 ms latency",
  value: Number(rate.toFixed(0)),
  unit: `redemptions/s while calling (${(share * 100).toFixed(0)} % of ${allowed}/s; ${wallRate.toFixed(0)}/s over the whole ${seconds.toFixed(1)} s run; client CPU ${((cpu.user + cpu.system) / ROWS / 1000).toFixed(2)} ms per redemption)`,
  target: `>= ${TARGET * 100} % of concurrency/latency`,
  share: Number(share.toFixed(3)),
  wallRate: Number(wallRate.toFixed(0)),
  wallShare: Number((wallRate / allowed).toFixed(3)),
  cpuMsPerRedemption: Number(((cpu.user + cpu.system) / ROWS / 1000).toFixed(3)),
  // the fake Engage's own CPU per call (this process): it shares the machine with the client
  fakeCpuMsPerCall: Number(((serverCpu.user + serverCpu.system) / fake.requests.length / 1000).toFixed(3)),
  calls: fake.requests.length,
  pass: share >= TARGET,
});
