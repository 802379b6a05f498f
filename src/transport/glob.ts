/**
 * Compiles a file-name pattern (`*` any run of characters, `?` one character, everything else
 * literal) into a test on a whole name. As in a shell, a name starting with a dot (hidden files,
 * other tools' temporary files) only matches a pattern that starts with a dot too, unless
 * `hidden` is set.
 */
export function compileGlob(pattern: string, options: { hidden?: boolean } = {}): (name: string) => boolean {
  let source = "";
  for (const ch of pattern) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const re = new RegExp(`^${source}$`, "su");
  const hiddenAllowed = options.hidden === true || pattern.startsWith(".");
  return (name) => (hiddenAllowed || !name.startsWith(".")) && re.test(name);
}
