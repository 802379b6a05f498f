import Module, { createRequire } from "node:module";

type SshClientClass = typeof import("ssh2").Client;
let sshClient: SshClientClass | undefined;

/**
 * Two of the key parser's dependencies serve keys this tool rarely meets: asn1 reads PEM and DER
 * keys (RSA and ECDSA in the old formats) and bcrypt-pbkdf decrypts passphrase-protected OpenSSH
 * keys. Loading both with the client took about 11 ms of every upload's and fetch's start, before
 * the connection could open. Each is put in the module cache as a stand-in that loads the real
 * module on first use. The parser takes `Ber` and `pbkdf` from them as it loads, so those two are
 * forwarding values of their own; anything else read from a stand-in loads the module.
 */
const DEFERRED: Record<string, (real: () => Record<string, unknown>) => Record<string, unknown>> = {
  asn1: (real) => ({
    Ber: new Proxy(
      {},
      {
        get: (_, key) => (real().Ber as Record<string | symbol, unknown>)[key],
        has: (_, key) => key in (real().Ber as object),
      },
    ),
  }),
  "bcrypt-pbkdf": (real) => ({
    pbkdf: (...args: unknown[]) => (real().pbkdf as (...a: unknown[]) => unknown)(...args),
  }),
};

function standInFor(
  forwards: Record<string, unknown>,
  real: () => Record<string, unknown>,
): Record<string, unknown> {
  return new Proxy(forwards, {
    get: (target, key) => (typeof key === "string" && key in target ? target[key] : real()[key as string]),
    has: (target, key) => key in target || key in real(),
  });
}

function deferKeyParserDependencies(): void {
  const parserRequire = createRequire(
    createRequire(import.meta.url).resolve("ssh2/lib/protocol/keyParser.js"),
  );
  for (const [name, standIn] of Object.entries(DEFERRED)) {
    let path: string;
    try {
      path = parserRequire.resolve(name);
    } catch {
      continue;
    }
    if (parserRequire.cache[path] !== undefined) continue;
    let loaded: Record<string, unknown> | undefined;
    const real = (): Record<string, unknown> => {
      if (loaded === undefined) {
        // The stand-in leaves the cache, so this require loads the module itself.
        delete parserRequire.cache[path];
        loaded = parserRequire(name) as Record<string, unknown>;
      }
      return loaded;
    };
    const entry = new Module(path);
    entry.filename = path;
    entry.loaded = true;
    entry.exports = standInFor(standIn(real), real);
    parserRequire.cache[path] = entry;
  }
}

/**
 * The SSH client class, loaded on first connect: the SSH stack costs every other command its
 * start-up time otherwise. Required rather than imported: a CommonJS package loads faster so,
 * with no export scan. Only the client module: the package's index also loads its server,
 * agents, HTTP agents and key generator, which a third of the load time goes to and nothing here
 * uses.
 */
export function loadSshClient(): SshClientClass {
  if (sshClient === undefined) {
    deferKeyParserDependencies();
    sshClient = createRequire(import.meta.url)("ssh2/lib/client.js") as SshClientClass;
  }
  return sshClient;
}
