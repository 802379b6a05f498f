import type { Options } from "yargs";

/** What a usage error is explained against: the command line and what it could have said. */
export interface UsageContext {
  argv: readonly string[];
  /** Every command name. */
  commands: readonly string[];
  /** The command word as typed (the first argument that is not a flag), known or not. */
  requested: string | undefined;
  /** The options of the command (and those every command takes); undefined for an unknown command. */
  options: Readonly<Record<string, Options>> | undefined;
}

/** Edit distance with transpositions (`valdate` is one edit from `validate`, `fromat` one from `format`). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) row.push(j);
      else {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
          d = Math.min(d, rows[i - 2]![j - 2]! + 1);
        row.push(d);
      }
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate nearest to `word`, when it is near enough to be a slip of the keyboard (about one
 * edit in three letters, or a prefix); undefined when nothing is, or two are equally near.
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const d = c.startsWith(w) && w.length >= 3 ? 0.5 : editDistance(w, c);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance && candidate !== best) tie = true;
  }
  const limit = Math.max(1, Math.floor(w.length / 3));
  return best !== undefined && bestDistance <= limit && !tie ? best : undefined;
}

const camel = (key: string) => key.replace(/-([a-z])/g, (_, x: string) => x.toUpperCase());
const kebab = (key: string) => key.replace(/[A-Z]/g, (x) => `-${x.toLowerCase()}`);

/** The long flag names a command accepts, as typed: `--kind`, `--no-progress`, `--max-per-file`. */
function flagNames(options: Readonly<Record<string, Options>>): Set<string> {
  const names = new Set(["help", "version"]);
  for (const [key, spec] of Object.entries(options)) {
    names.add(key);
    const aliases = spec.alias === undefined ? [] : Array.isArray(spec.alias) ? spec.alias : [spec.alias];
    for (const alias of aliases as string[]) if (alias.length > 1) names.add(alias);
    if (spec.type === "boolean") names.add(key.startsWith("no-") ? key.slice(3) : `no-${key}`);
  }
  return names;
}

/** The long flags of `argv` (before `--`) that the command does not take, as typed. */
export function unknownFlags(argv: readonly string[], options: Readonly<Record<string, Options>>): string[] {
  const known = flagNames(options);
  const knownCamel = new Set([...known].map(camel));
  const out: string[] = [];
  for (const arg of argv) {
    if (arg === "--") break;
    if (!arg.startsWith("--") || arg.length === 2) continue;
    const name = arg.slice(2).split("=")[0]!;
    if (!known.has(name) && !knownCamel.has(name) && !known.has(kebab(name))) out.push(name);
  }
  return out;
}

/**
 * Rewrites a usage error so it names the real slip and offers the nearest right word: an unknown
 * command or flag comes first, before a required option it may have been meant to be.
 */
export function explainUsageError(message: string, context: UsageContext): string {
  const { requested, commands, options } = context;
  if (requested !== undefined && !commands.includes(requested)) {
    const near = nearest(requested, commands);
    return near !== undefined
      ? `unknown command ${requested}; did you mean ${near}?`
      : `unknown command ${requested}; the commands are ${commands.join(", ")}`;
  }
  if (options === undefined) return message;
  const unknown = unknownFlags(context.argv, options);
  if (unknown.length === 0) return message;
  const names = flagNames(options);
  return unknown
    .map((name) => {
      const near = nearest(kebab(name), names);
      return near !== undefined
        ? `unknown option --${name}; did you mean --${near}?`
        : `unknown option --${name}`;
    })
    .join("; ");
}
