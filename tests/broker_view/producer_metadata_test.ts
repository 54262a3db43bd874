// The metadata refresh policy against a scripted cluster view: one refresh at a time, retries
// with backoff after failures, waits bounded by their deadline, and a refused login that ends
// every wait and every refresh.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ClusterMetadata } from "../../src/broker/cluster.ts";
import { type MetadataView, ProducerMetadata } from "../../src/broker/producer_metadata.ts";
import { silentLogger } from "../../src/config/logger.ts";
import { ConnectionError, ProducerClosedError } from "../../src/errors/client_errors.ts";
import { AuthenticationError } from "../../src/errors/security_errors.ts";

/** Each refresh takes the next scripted outcome: partition counts to learn, or an error. */
class ScriptedView implements MetadataView {
  readonly counts = new Map<string, number>();
  readonly script: Array<Record<string, number> | Error> = [];
  refreshes = 0;
  refreshedAt = 0;
  refreshMetadata(topics: readonly string[]): Promise<ClusterMetadata> {
    this.refreshes++;
    const next = this.script.shift() ?? {};
    if (next instanceof Error) return Promise.reject(next);
    for (const [topic, count] of Object.entries(next)) this.counts.set(topic, count);
    this.refreshedAt = Date.now();
    return Promise.resolve({
      clusterId: null,
      controllerId: -1,
      brokers: [],
      topics: topics.map((name) => ({
        name,
        partitionCount: this.counts.get(name) ?? 0,
        error: undefined,
      })),
    });
  }
  partitionCount(topic: string): number | undefined {
    return this.counts.get(topic);
  }
  topicError(): undefined {
    return undefined;
  }
}

function policy(view: ScriptedView, maxBlockMs = 2000) {
  return new ProducerMetadata(view, {
    metadataMaxAgeMs: 300_000,
    metadataMaxIdleMs: 300_000,
    retryBackoffMs: 20,
    retryBackoffMaxMs: 1000,
    maxBlockMs,
    bootstrapServers: "127.0.0.1:9092",
    logger: silentLogger,
  });
}

describe("ProducerMetadata", () => {
  it("ProducerMetadata.requestUpdate() shares one refresh among callers and resolves after its answer", async () => {
    const view = new ScriptedView();
    view.script.push({ events: 3 });
    const metadata = policy(view);
    const a = metadata.requestUpdate();
    const b = metadata.requestUpdate();
    assert.equal(a, b);
    await a;
    assert.equal(view.refreshes, 1);
    assert.equal(await metadata.awaitPartition("events", Date.now() + 100), 3);
    metadata.close();
  });

  it("ProducerMetadata retries a failed refresh with backoff and reports the failure until an answer comes", async () => {
    const view = new ScriptedView();
    view.script.push(new ConnectionError("down"), new ConnectionError("down"), { events: 2 });
    const metadata = policy(view);
    await metadata.requestUpdate();
    assert.equal(metadata.lastFailure?.code, "CONNECTION");
    assert.equal(await metadata.awaitPartition("events", Date.now() + 2000), 2);
    assert.equal(view.refreshes, 3);
    assert.equal(metadata.lastFailure, undefined);
    metadata.close();
  });

  it("ProducerMetadata.awaitPartition() fails with MAX_BLOCK_TIMEOUT naming the unreachable cluster", async () => {
    const view = new ScriptedView();
    for (let i = 0; i < 100; i++) view.script.push(new ConnectionError("refused"));
    const metadata = policy(view, 150);
    await assert.rejects(metadata.awaitPartition("events", Date.now() + 150), (error: Error) => {
      assert.match(error.message, /no broker could be reached within maxBlockMs \(150 ms\)/);
      assert.equal((error as ConnectionError).code, "MAX_BLOCK_TIMEOUT");
      return true;
    });
    metadata.close();
  });

  it("ProducerMetadata stops refreshing after a refused login and fails every wait with it", async () => {
    const view = new ScriptedView();
    view.script.push(new AuthenticationError("Wrong password"));
    const metadata = policy(view);
    const waiting = metadata.awaitPartition("events", Date.now() + 5000);
    await assert.rejects(waiting, AuthenticationError);
    assert.equal(metadata.fatalError?.code, "SASL_AUTHENTICATION_FAILED");
    await metadata.requestUpdate(); // resolves: there is nothing more to wait for
    assert.equal(view.refreshes, 1, "no reconnect storm");
    metadata.close();
  });

  it("ProducerMetadata.stopWaiting() rejects waits at once with the given error", async () => {
    const view = new ScriptedView();
    for (let i = 0; i < 100; i++) view.script.push({});
    const metadata = policy(view);
    const waiting = metadata.awaitPartition("missing", Date.now() + 5000);
    const closed = new ProducerClosedError("closed");
    metadata.stopWaiting(closed);
    await assert.rejects(waiting, (error) => error === closed);
    metadata.close();
  });
});
