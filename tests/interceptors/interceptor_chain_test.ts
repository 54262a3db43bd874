import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { InterceptorChain } from "../../src/interceptors/interceptor_chain.ts";
import type { ProducerInterceptor } from "../../src/interceptors/producer_interceptor.ts";
import { silentLogger } from "../../src/config/logger.ts";
import type { ProducerRecord } from "../../src/record/producer_record.ts";
import type { RecordMetadata } from "../../src/record/record_metadata.ts";

function recordingLogger() {
  const warnings: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
  return {
    warnings,
    logger: {
      debug() {},
      info() {},
      warn: (message: string, fields?: Record<string, unknown>) =>
        warnings.push({ message, fields }),
      error() {},
    },
  };
}

const boom = () => {
  throw new Error("boom");
};

describe("InterceptorChain", () => {
  it("InterceptorChain.isEmpty is true only without interceptors", () => {
    assert.equal(new InterceptorChain([], silentLogger).isEmpty, true);
    assert.equal(new InterceptorChain([{}], silentLogger).isEmpty, false);
  });

  it("InterceptorChain.onSend() runs interceptors in order, each on the previous result", () => {
    const seen: string[] = [];
    const chain = new InterceptorChain([
      { onSend: (r) => ({ ...r, value: `${r.value}-a` }) },
      {}, // no onSend
      {
        onSend: (r) => {
          seen.push(String(r.value));
        },
      }, // returns nothing: keeps the record
      { onSend: (r) => ({ ...r, value: `${r.value}-b` }) },
    ], silentLogger);
    assert.equal(chain.onSend({ topic: "t", value: "v" }).value, "v-a-b");
    assert.deepEqual(seen, ["v-a"]);
  });

  it("InterceptorChain.onSend() returns the same object when nothing replaced it", () => {
    const record: ProducerRecord = { topic: "t", value: "v" };
    assert.equal(
      new InterceptorChain([{ onSend: () => undefined }], silentLogger).onSend(record),
      record,
    );
  });

  it("InterceptorChain.onSend() logs a throwing interceptor with its index and passes the record on", () => {
    const { warnings, logger } = recordingLogger();
    const chain = new InterceptorChain([
      { onSend: (r) => ({ ...r, value: "first" }) },
      { onSend: boom },
      { onSend: (r) => ({ ...r, key: `${r.value}` }) },
    ], logger);
    const out = chain.onSend({ topic: "t", value: "v" });
    assert.equal(out.value, "first");
    assert.equal(out.key, "first");
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.fields!.interceptor, 1);
    assert.match(String(warnings[0]!.fields!.error), /boom/);
  });

  it("InterceptorChain.onSend() ignores a non-record return value and logs it", () => {
    const { warnings, logger } = recordingLogger();
    const chain = new InterceptorChain([
      { onSend: () => null as unknown as ProducerRecord },
    ], logger);
    assert.equal(chain.onSend({ topic: "t", value: "v" }).value, "v");
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.fields!.interceptor, 0);
  });

  it("InterceptorChain.onAcknowledgement() reaches every interceptor for success and failure", () => {
    const { warnings, logger } = recordingLogger();
    const calls: Array<[number, RecordMetadata | undefined, Error | undefined]> = [];
    const record: ProducerRecord = { topic: "t", value: "v" };
    const interceptors: ProducerInterceptor[] = [0, 1].map((index) => ({
      onAcknowledgement: (metadata, error, r) => {
        assert.equal(r, record);
        calls.push([index, metadata, error]);
        if (index === 0) boom();
      },
    }));
    const chain = new InterceptorChain(interceptors, logger);
    const metadata: RecordMetadata = {
      topic: "t",
      partition: 0,
      offset: 1n,
      timestamp: 2,
      serializedKeySize: -1,
      serializedValueSize: 1,
    };
    const failure = new Error("failed");
    chain.onAcknowledgement(metadata, undefined, record);
    chain.onAcknowledgement(undefined, failure, record);
    assert.deepEqual(calls, [
      [0, metadata, undefined],
      [1, metadata, undefined],
      [0, undefined, failure],
      [1, undefined, failure],
    ]);
    assert.equal(warnings.length, 2, "each throw is logged, none escapes");
    assert.equal(warnings[0]!.fields!.interceptor, 0);
  });

  it("InterceptorChain.close() closes every interceptor even when one throws", () => {
    const { warnings, logger } = recordingLogger();
    const closed: number[] = [];
    const chain = new InterceptorChain([
      { close: boom },
      {},
      { close: () => closed.push(2) },
    ], logger);
    chain.close();
    assert.deepEqual(closed, [2]);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.fields!.interceptor, 0);
  });

  it("InterceptorChain never throws, whatever interceptors throw and even when the logger throws", () => {
    const odd = () => {
      throw Object.create(null);
    };
    const throwingLogger = { debug: odd, info: odd, warn: odd, error: odd };
    for (const logger of [recordingLogger().logger, throwingLogger]) {
      const acknowledged: number[] = [];
      const chain = new InterceptorChain([
        { onSend: odd, onAcknowledgement: odd, close: odd },
        {
          onSend: () => {
            throw Symbol("s");
          },
          onAcknowledgement: () => acknowledged.push(1),
        },
      ], logger);
      const record: ProducerRecord = { topic: "t", value: "v" };
      assert.equal(chain.onSend(record), record);
      chain.onAcknowledgement(undefined, new Error("x"), record);
      assert.deepEqual(acknowledged, [1], "the next interceptor still runs");
      chain.close();
    }
  });

  it("InterceptorChain logs what an interceptor threw, described safely", () => {
    const { warnings, logger } = recordingLogger();
    const chain = new InterceptorChain([{
      onSend: () => {
        throw Object.create(null);
      },
      onAcknowledgement: () => {
        throw 1;
      },
      close: () => {
        throw Symbol("closing");
      },
    }], logger);
    chain.onSend({ topic: "t", value: "v" });
    chain.onAcknowledgement(undefined, undefined, { topic: "t", value: "v" });
    chain.close();
    assert.deepEqual(warnings.map((w) => w.fields!.error), [
      "an object with a null prototype",
      "1",
      "Symbol(closing)",
    ]);
  });

  it("InterceptorChain.onSend() refuses a Promise: interceptors must be synchronous", async () => {
    const { warnings, logger } = recordingLogger();
    const chain = new InterceptorChain([
      { onSend: (r) => ({ ...r, value: "first" }) },
      // deno-lint-ignore require-await
      { onSend: async (r: ProducerRecord) => r } as unknown as ProducerInterceptor,
    ], logger);
    assert.throws(
      () => chain.onSend({ topic: "t", value: "v" }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.equal(
          error.message,
          "Invalid interceptor 1: its onSend returned a Promise; interceptors must be synchronous (return the record, or nothing to keep it)",
        );
        return true;
      },
    );
    // An async onSend that rejects: its rejection is handled (logged), never unhandled.
    const rejecting = new InterceptorChain([
      { onSend: () => Promise.reject(new Error("late")) } as unknown as ProducerInterceptor,
    ], logger);
    assert.throws(() => rejecting.onSend({ topic: "t", value: "v" }), TypeError);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(warnings.map((w) => w.fields!.error), ["late"]);
  });

  it("InterceptorChain handles a Promise from onAcknowledgement or close (logged if it rejects)", async () => {
    const { warnings, logger } = recordingLogger();
    const chain = new InterceptorChain([{
      onAcknowledgement: (() => Promise.reject(Object.create(null))) as () => void,
      close: (() => Promise.reject(new Error("closing"))) as () => void,
    }], logger);
    chain.onAcknowledgement(undefined, undefined, { topic: "t", value: "v" });
    chain.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(warnings.map((w) => [w.fields!.interceptor, w.fields!.error]), [
      [0, "an object with a null prototype"],
      [0, "closing"],
    ]);
  });
});
