import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { makeIssue, type Issue } from "../../src/core/issue.js";
import { writeIssuesJson } from "../../src/cli/write-issues-json.js";

function issues(n: number): Issue[] {
  return Array.from({ length: n }, (_, i) =>
    makeIssue("validate.not_guid", `contactId: expected a GUID, got "x${i}" – “quoted”`, {
      file: "a.csv",
      line: i + 2,
      column: 3,
      field: "contactId",
    }),
  );
}

/** A slow stream with a small buffer: it asks the writer to wait after almost every piece. */
function slowSink(highWaterMark = 1024) {
  const chunks: string[] = [];
  let writes = 0;
  let mostBuffered = 0;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      writes += 1;
      chunks.push(chunk.toString());
      setImmediate(done);
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((piece: string) => {
    mostBuffered = Math.max(mostBuffered, stream.writableLength);
    return write(piece);
  }) as typeof stream.write;
  return { stream, text: () => chunks.join(""), writes: () => writes, mostBuffered: () => mostBuffered };
}

describe("writeIssuesJson", () => {
  it("writes what one JSON.stringify of {issues} would, in pieces, waiting for the stream", async () => {
    const list = issues(20_000);
    const sink = slowSink();
    await writeIssuesJson(sink.stream, list);
    expect(sink.text()).toBe(`${JSON.stringify({ issues: list })}\n`);
    expect(sink.writes()).toBeGreaterThan(20);
    // it waited for every drain: never more than one piece waits in the stream's buffer
    expect(sink.mostBuffered()).toBeLessThan(1 << 18);
  });

  it("writes an empty list and a single issue as JSON", async () => {
    for (const list of [[], issues(1)]) {
      const sink = slowSink();
      await writeIssuesJson(sink.stream, list);
      expect(JSON.parse(sink.text())).toEqual(JSON.parse(JSON.stringify({ issues: list })));
    }
  });

  it("stops quietly when the reader goes away", async () => {
    const sink = slowSink(16);
    const writing = writeIssuesJson(sink.stream, issues(50_000));
    setImmediate(() => sink.stream.destroy());
    await expect(writing).resolves.toBeUndefined();
    expect(sink.text().length).toBeLessThan(JSON.stringify({ issues: issues(50_000) }).length);
  });
});
