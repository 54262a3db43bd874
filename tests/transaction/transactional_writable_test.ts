// transactionalWritable() against a recording sink: when transactions begin, commit and abort.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { transactionalWritable } from "../../src/producer/transactional_writable.ts";

function recordingSink(options: { failWrite?: string; failCommit?: boolean } = {}) {
  const log: string[] = [];
  return {
    log,
    sink: {
      begin: () => void log.push("begin"),
      write: (chunk: string[]) => {
        if (chunk.includes(options.failWrite ?? "\0")) {
          return Promise.reject(new Error(`bad record ${options.failWrite}`));
        }
        log.push(chunk.join(""));
        return Promise.resolve(chunk.length);
      },
      commit: () => {
        log.push("commit");
        return options.failCommit ? Promise.reject(new Error("commit refused")) : Promise.resolve();
      },
      abort: () => Promise.resolve(void log.push("abort")),
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("transactionalWritable()", () => {
  it("transactionalWritable() commits each chunk by default", async () => {
    const { log, sink } = recordingSink();
    await ReadableStream.from([["a", "b"], ["c"]]).pipeTo(transactionalWritable(sink));
    assert.deepEqual(log, ["begin", "ab", "commit", "begin", "c", "commit"]);
  });

  it("transactionalWritable({ records }) commits once a transaction holds that many, the rest at close", async () => {
    const { log, sink } = recordingSink();
    await ReadableStream.from([["a"], ["b", "c"], ["d"], ["e"]]).pipeTo(
      transactionalWritable(sink, { records: 3 }),
    );
    assert.deepEqual(log, ["begin", "a", "bc", "commit", "begin", "d", "e", "commit"]);
  });

  it("transactionalWritable({ intervalMs }) commits an idle open transaction when its time is up", async () => {
    const { log, sink } = recordingSink();
    const writer = transactionalWritable(sink, { intervalMs: 30 }).getWriter();
    await writer.write(["a"]);
    assert.deepEqual(log, ["begin", "a"]);
    await sleep(80);
    assert.deepEqual(log, ["begin", "a", "commit"], "committed by the timer");
    await writer.write(["b"]);
    await writer.close();
    assert.deepEqual(log, ["begin", "a", "commit", "begin", "b", "commit"]);
  });

  it("transactionalWritable() aborts the open transaction when the pipe errors or a write fails", async () => {
    const errored = recordingSink();
    let pulls = 0;
    const failing = new ReadableStream<string[]>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(["a"]);
        else controller.error(new Error("source broke"));
      },
    });
    await assert.rejects(
      failing.pipeTo(transactionalWritable(errored.sink, { records: 10 })),
      /source broke/,
    );
    assert.deepEqual(errored.log, ["begin", "a", "abort"]);

    const refused = recordingSink({ failWrite: "x" });
    const writer = transactionalWritable(refused.sink, { records: 10 }).getWriter();
    await writer.write(["a"]);
    await assert.rejects(writer.write(["x"]), /bad record x/);
    assert.deepEqual(refused.log, ["begin", "a", "abort"]);
  });

  it("transactionalWritable() aborts what a failed commit left open and errors the stream", async () => {
    const { log, sink } = recordingSink({ failCommit: true });
    await assert.rejects(
      ReadableStream.from([["a"]]).pipeTo(transactionalWritable(sink)),
      /commit refused/,
    );
    assert.deepEqual(log, ["begin", "a", "commit", "abort"]);
  });

  it("transactionalWritable() refuses options that are not positive integers", () => {
    const { sink } = recordingSink();
    assert.throws(() => transactionalWritable(sink, { records: 0 }), RangeError);
    assert.throws(() => transactionalWritable(sink, { intervalMs: 1.5 }), RangeError);
  });
});
