import { inspect } from "node:util";

/**
 * A secret value (password, passphrase, private key) that cannot leak by accident: printing,
 * string interpolation, JSON and `util.inspect` all show `***`; only `reveal()` gives the value.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself, for the one place that hands it to the SSH client. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "***";
  }

  toJSON(): string {
    return "***";
  }

  [inspect.custom](): string {
    return "Secret(***)";
  }
}

/** Replaces every occurrence of the secrets' values in `text` (error messages from libraries) by `***`. */
export function redact(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    const v = s?.reveal();
    // A value of one to three characters would blank ordinary words of every message.
    if (v !== undefined && v.length >= 4) out = out.split(v).join("***");
  }
  return out;
}
