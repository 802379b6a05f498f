/**
 * Why a file name is not a plain, safe name to create in a local folder (or to send to a
 * remote one), or undefined when it is. Refused: empty, `.` and `..`, path separators (`/`,
 * `\`), a drive prefix, control characters (C0, DEL, C1), invisible direction overrides that
 * make a name read differently than it is, the replacement character left by undecodable
 * bytes, and names longer than 255 bytes.
 */
export function unsafeNameReason(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name === "." || name === "..") return "is a folder reference, not a file name";
  if (name.includes("/") || name.includes("\\")) return "holds a path separator and could escape the folder";
  if (/^[a-z]:/i.test(name)) return "starts with a drive prefix and could escape the folder";
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return "holds control characters";
  if (/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(name))
    return "holds invisible text-direction characters";
  if (name.includes("\ufffd")) return "holds bytes that are not valid UTF-8";
  if (Buffer.byteLength(name, "utf8") > 255) return "is longer than 255 bytes";
  return undefined;
}

/** Shows a name in a message with control and odd characters escaped, so a log line stays one line. */
export function showName(name: string): string {
  return JSON.stringify(name).replace(
    /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
