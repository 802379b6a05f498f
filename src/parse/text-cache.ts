/** Remembers what a function gave for recent texts: element names, repeated timestamps. */
export interface TextCache<T> {
  get(text: string): T;
}

/**
 * A fixed-size, direct-mapped cache: the slot comes from the length and the characters at a few
 * positions (`sample`, counted from the start; by default the first, middle and last), and a hit
 * is one string comparison. Texts the parser hands over are fresh slices each time, so a Map
 * would hash every character of every one; and a collision merely replaces the slot, so memory
 * stays fixed whatever the file holds.
 */
export function createTextCache<T>(
  compute: (text: string) => T,
  options: { size?: number; sample?: readonly number[] } = {},
): TextCache<T> {
  const size = options.size ?? 512;
  const mask = size - 1;
  if ((size & mask) !== 0) throw new Error("createTextCache: size must be a power of two");
  const sample = options.sample;
  const keys = new Array<string | undefined>(size).fill(undefined);
  const values = new Array<T | undefined>(size).fill(undefined);
  return {
    get(text) {
      const n = text.length;
      let hash = n;
      if (sample === undefined) {
        if (n > 0)
          hash = n * 31 + text.charCodeAt(0) * 7 + text.charCodeAt(n - 1) * 13 + text.charCodeAt(n >> 1) * 17;
      } else {
        for (const at of sample) if (at < n) hash = (hash * 31 + text.charCodeAt(at)) | 0;
      }
      const slot = (hash ^ (hash >>> 9)) & mask;
      if (keys[slot] === text) return values[slot] as T;
      const value = compute(text);
      // A copy: a slice of the read chunk would keep the whole chunk alive for as long as it
      // stays cached, and the cache's slots would hold up to `size` chunks as the file goes on.
      keys[slot] = text.length < 13 ? text : (text + " ").slice(0, -1);
      values[slot] = value;
      return value;
    },
  };
}
