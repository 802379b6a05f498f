// Delivery speed against the OpenSSH client, in one run, over loopback: a real sshd from the test
// harness, 50 files of 2 MB with a render manifest, then
//   upload: `sftp -b` putting the 50 files vs `engage-promo upload --force` (hash check, .part,
//           size check, rename and manifest record per file included);
//   fetch:  `sftp -b` getting the 50 files vs `engage-promo fetch --force`.
// Both clients use the same key and a strict known_hosts, and the same cipher: the server accepts
// only CIPHER, so both negotiate it (OpenSSH's client would pick chacha20-poly1305 otherwise, and
// ssh2 AES-GCM). The sshd listens on a loopback port chosen at random in PORT_RANGE (tried again
// when taken), so that runs do not collide with other servers on fixed ports. The two clients
// alternate within each of ROUNDS rounds (which goes first swaps every round), and the medians
// count. The CLI's start-up is included (and timed apart too: `--version`, `upload --help`, a
// no-op upload). Target: at least 0.9 of the OpenSSH client's throughput, for upload and fetch.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { register } from "tsx/esm/api";
import { DATA, measureCli, report } from "./lib.mjs";

register();
const { startSshd } = await import("../test/support/sshd.ts");

const FILES = 50;
const SIZE = 2 * 1000 * 1000;
const ROUNDS = 5;
const TARGET = 0.9;
const CIPHER = "aes128-gcm@openssh.com";
/** Loopback ports the bench's sshd may listen on (inclusive), away from the usual services. */
const PORT_RANGE = [20000, 29999];

const root = join(DATA, "upload");
rmSync(root, { recursive: true, force: true });
const outDir = join(root, "out");
mkdirSync(outDir, { recursive: true });

/** A render folder: the files and a manifest listing them with sizes and checksums. */
function writeRenderFolder() {
  const files = [];
  for (let i = 1; i <= FILES; i++) {
    const name = `20260301020000_${String(i).padStart(3, "0")}_promotions.xml`;
    const data = randomBytes(SIZE);
    writeFileSync(join(outDir, name), data);
    files.push({
      name,
      sha256: createHash("sha256").update(data).digest("hex"),
      bytes: SIZE,
      counts: { promotions: 1, assignments: 0 },
      promotions: [],
      deliveries: {},
    });
  }
  writeFileSync(join(outDir, "manifest.keys.ndjson"), "");
  const manifest = {
    manifestVersion: 1,
    tool: "engage-promo bench",
    timestamp: "2026-03-01T02:00:00Z",
    profile: "default",
    inputs: [],
    counts: { promotions: FILES, assignments: 0, rejected: 0, files: FILES },
    files,
    promotions: [],
    keys: { file: "manifest.keys.ndjson", sha256: createHash("sha256").update("").digest("hex"), lines: 0 },
  };
  writeFileSync(join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return files.map((f) => f.name);
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${command} exited ${code}: ${err}`));
      else resolve(wallMs);
    });
  });
}

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

async function startOnRandomPort() {
  for (let tries = 0; ; tries++) {
    const port = PORT_RANGE[0] + Math.floor(Math.random() * (PORT_RANGE[1] - PORT_RANGE[0] + 1));
    try {
      return await startSshd({ ciphers: [CIPHER], port });
    } catch (error) {
      if (tries >= 10) throw error;
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const sshd = await startOnRandomPort();
try {
  const names = writeRenderFolder();
  const remote = join(sshd.remoteDir, "in");
  const local = join(root, "fetched");
  const sftpArgs = (batch) => [
    "-q",
    "-b",
    batch,
    "-i",
    sshd.userKeyFile,
    "-o",
    `UserKnownHostsFile=${sshd.knownHostsFile}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    `Ciphers=${CIPHER}`,
    "-P",
    String(sshd.port),
    `${sshd.user}@127.0.0.1`,
  ];
  const putBatch = join(root, "put.batch");
  writeFileSync(
    putBatch,
    [`cd ${remote}`, `lcd ${outDir}`, ...names.map((n) => `put ${n}`)].join("\n") + "\n",
  );
  const getBatch = join(root, "get.batch");
  writeFileSync(
    getBatch,
    [`cd ${remote}`, `lcd ${local}`, ...names.map((n) => `get ${n}`)].join("\n") + "\n",
  );
  const common = ["--known-hosts", sshd.knownHostsFile, "--identity", sshd.userKeyFile, "--quiet"];

  // The CLI's start-up on its own, beside the ratios: `--version` is the bare tool (Node and the
  // argument parser), `upload --help` adds upload's own modules, and a no-op upload (every file
  // already verified at the target: the manifest checked, the files hashed, no connection) adds
  // the manifest schema and the checksums. What remains of a real upload is the SSH library,
  // the handshake and the transfer.
  const times = {
    sftpPut: [],
    ourPut: [],
    sftpGet: [],
    ourGet: [],
    version: [],
    uploadHelp: [],
    noop: [],
  };
  const noopDir = join(root, "noop");
  const timeCli = async (key, args) => {
    const r = await measureCli(args);
    if (r.code !== 0) throw new Error(`${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
    times[key].push(r.wallMs);
  };
  const sftpPut = async () => {
    fresh(remote);
    times.sftpPut.push(await run("/usr/bin/sftp", sftpArgs(putBatch)));
  };
  const ourPut = async () => {
    fresh(remote);
    const up = await measureCli(["upload", outDir, "--to", sshd.url(remote), "--force", ...common]);
    if (up.code !== 0) throw new Error(`upload exited ${up.code}: ${up.stderr}${up.stdout}`);
    times.ourPut.push(up.wallMs);
    if (readdirSync(remote).length !== FILES) throw new Error("upload did not deliver every file");
  };
  const sftpGet = async () => {
    fresh(local);
    times.sftpGet.push(await run("/usr/bin/sftp", sftpArgs(getBatch)));
  };
  const ourGet = async () => {
    fresh(local);
    // The files were just written: --min-age 0, or fetch would leave them for a later run.
    const down = await measureCli([
      "fetch",
      "--from",
      sshd.url(remote),
      "--out",
      local,
      "--force",
      "--min-age",
      "0",
      ...common,
    ]);
    if (down.code !== 0) throw new Error(`fetch exited ${down.code}: ${down.stderr}${down.stdout}`);
    times.ourGet.push(down.wallMs);
    if (readdirSync(local).filter((n) => n.endsWith(".xml")).length !== FILES)
      throw new Error("fetch did not download every file");
  };
  // A local target, once delivered: every later upload there is the no-op run.
  const noopArgs = ["upload", outDir, "--to", noopDir, "--quiet"];
  fresh(noopDir);
  await timeCli("noop", noopArgs);
  times.noop.length = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await timeCli("version", ["--version"]);
    await timeCli("uploadHelp", ["upload", "--help"]);
    await timeCli("noop", noopArgs);
    const swap = round % 2 === 1;
    for (const step of swap ? [ourPut, sftpPut] : [sftpPut, ourPut]) await step();
    // The remote folder now holds the 50 files both downloads read.
    for (const step of swap ? [ourGet, sftpGet] : [sftpGet, ourGet]) await step();
  }
  const best = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));

  const mbps = (ms) => ((FILES * SIZE) / 1e6 / (ms / 1000)).toFixed(0);
  console.log(`sshd on 127.0.0.1:${sshd.port}, cipher ${CIPHER} for both clients`);
  console.log(
    `${FILES} × ${SIZE / 1e6} MB, medians of ${ROUNDS} alternating rounds: OpenSSH sftp put ${best.sftpPut.toFixed(0)} ms (${mbps(best.sftpPut)} MB/s), ` +
      `engage-promo upload ${best.ourPut.toFixed(0)} ms (${mbps(best.ourPut)} MB/s); ` +
      `OpenSSH sftp get ${best.sftpGet.toFixed(0)} ms (${mbps(best.sftpGet)} MB/s), engage-promo fetch ${best.ourGet.toFixed(0)} ms (${mbps(best.ourGet)} MB/s)`,
  );
  // The CLI's own start-up is part of the figures above; shown apart, with the ratios without it.
  const startup = best.uploadHelp;
  console.log(
    `engage-promo start-up: --version ${best.version.toFixed(0)} ms, upload --help ${best.uploadHelp.toFixed(0)} ms, ` +
      `no-op upload (manifest checked, ${FILES} files hashed, no connection) ${best.noop.toFixed(0)} ms; ` +
      `without the upload --help start-up: upload ${(best.sftpPut / Math.max(1, best.ourPut - startup)).toFixed(2)} ×, fetch ${(best.sftpGet / Math.max(1, best.ourGet - startup)).toFixed(2)} × OpenSSH`,
  );
  console.log(
    `ratios vs sftp (same cipher): upload ${(best.sftpPut / best.ourPut).toFixed(2)} ×, fetch ${(best.sftpGet / best.ourGet).toFixed(2)} ×`,
  );
  const upRatio = Number((best.sftpPut / best.ourPut).toFixed(2));
  const downRatio = Number((best.sftpGet / best.ourGet).toFixed(2));
  report({
    name: `upload 50 × 2 MB, throughput vs OpenSSH sftp (${CIPHER}, medians)`,
    value: upRatio,
    unit: "×",
    target: `≥ ${TARGET}`,
    pass: upRatio >= TARGET,
  });
  report({
    name: `fetch 50 × 2 MB, throughput vs OpenSSH sftp (${CIPHER}, medians)`,
    value: downRatio,
    unit: "×",
    target: `≥ ${TARGET}`,
    pass: downRatio >= TARGET,
  });
  process.exitCode = upRatio >= TARGET && downRatio >= TARGET ? 0 : 1;
} finally {
  await sshd.dispose();
  // 200 MB of random files, made again on every run: not worth keeping.
  rmSync(root, { recursive: true, force: true });
}
