import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Cluster, type ClusterOptions } from "../../src/broker/cluster.ts";
import { ExponentialBackoff } from "../../src/time/exponential_backoff.ts";
import { BrokerError } from "../../src/errors/broker_error.ts";
import { ConnectionError } from "../../src/errors/client_errors.ts";
import { ApiKey } from "../../src/protocol/api_keys.ts";
import {
  type FakeBroker,
  type FakeMetadata,
  frameOf,
  readMetadataV1Topics,
  startFakeBroker,
  writeMetadataV1,
} from "../connection/fake_broker.ts";

/** A fake broker answering Metadata v1 with `metadata()` (filtered to the requested topics). */
function metadataBroker(
  metadata: () => FakeMetadata,
  requests: Array<string[] | null> = [],
): Promise<FakeBroker> {
  return startFakeBroker({
    onRequest: (request) => {
      if (request.apiKey !== ApiKey.Metadata) return;
      const topics = readMetadataV1Topics(request.body);
      requests.push(topics);
      const all = metadata();
      const answer = {
        ...all,
        topics: all.topics.filter((t) => topics === null || topics.includes(t.name)),
      };
      request.socket.write(frameOf(request.correlationId, (w) => writeMetadataV1(w, answer)));
    },
  });
}

function options(
  bootstrapServers: string | string[],
  extra: Partial<ClusterOptions> = {},
): ClusterOptions {
  return {
    bootstrapServers,
    connection: { clientId: "sluice-test", requestTimeoutMs: 5000, connectTimeoutMs: 2000 },
    reconnectBackoffMs: 20,
    reconnectBackoffMaxMs: 200,
    metadataMaxAgeMs: 300000,
    ...extra,
  };
}

async function deadPort(): Promise<number> {
  const broker = await startFakeBroker();
  await broker.close();
  return broker.port;
}

describe("Cluster (view, against a fake broker)", () => {
  it("new Cluster() rejects malformed or empty bootstrap lists", () => {
    assert.throws(() => new Cluster(options("localhost")), TypeError);
    assert.throws(() => new Cluster(options("localhost:0")), TypeError);
    assert.throws(() => new Cluster(options("localhost:99999")), TypeError);
    assert.throws(() => new Cluster(options(":9092")), TypeError);
    assert.throws(() => new Cluster(options(" , ")), RangeError);
    assert.throws(() => new Cluster(options([])), RangeError);
    new Cluster(options(["[::1]:9092", " host-a:1 "])); // accepted
  });

  it("Cluster.refreshMetadata() learns brokers, partitions, leaders and per-topic errors", async () => {
    let port = 0;
    const requests: Array<string[] | null> = [];
    const broker = await metadataBroker(() => ({
      brokers: [{ nodeId: 1, host: "127.0.0.1", port }, { nodeId: 2, host: "127.0.0.1", port }],
      controllerId: 1,
      topics: [
        {
          name: "events",
          partitions: [{ partition: 1, leader: 2 }, { partition: 0, leader: 1 }, {
            partition: 2,
            leader: -1,
            errorCode: 5,
          }],
        },
        { name: "missing", errorCode: 3, partitions: [] },
      ],
    }), requests);
    port = broker.port;
    const cluster = new Cluster(options(`127.0.0.1:${port}`));
    try {
      assert.equal(cluster.metadataStale, true);
      const result = await cluster.refreshMetadata(["events", "missing", "omitted"]);
      assert.deepEqual(requests[0], ["events", "missing", "omitted"]);
      assert.equal(result.controllerId, 1);
      assert.deepEqual(result.brokers.map((b) => b.nodeId), [1, 2]);
      assert.deepEqual(result.topics.map((t) => [t.name, t.partitionCount, t.error?.code]), [
        ["events", 3, undefined],
        ["missing", 0, "UNKNOWN_TOPIC_OR_PARTITION"],
        ["omitted", 0, "UNKNOWN_TOPIC_OR_PARTITION"],
      ]);
      assert.equal(cluster.partitionCount("events"), 3);
      assert.equal(cluster.leaderFor("events", 0), 1);
      assert.equal(cluster.leaderFor("events", 1), 2);
      assert.equal(cluster.leaderFor("events", 2), undefined, "LEADER_NOT_AVAILABLE: no leader");
      assert.equal(cluster.leaderFor("events", 3), undefined);
      assert.deepEqual(cluster.availablePartitions("events"), [0, 1]);
      assert.equal(cluster.partitionCount("missing"), undefined);
      const error = cluster.topicError("missing");
      assert.ok(error instanceof BrokerError);
      assert.equal(error.errorCode, 3);
      assert.equal(error.retriable, true);
      assert.match(error.message, /Metadata for topic "missing"/);
      assert.deepEqual(cluster.brokers().map((b) => b.nodeId), [1, 2]);
      assert.equal(cluster.metadataStale, false);
      assert.ok(cluster.metadataAgeMs >= 0 && cluster.metadataAgeMs < 300000);
      // The connection to a broker id from the metadata works, and is reused.
      const connection = await cluster.connectionTo(2);
      assert.equal(connection.nodeId, 2);
      assert.equal(await cluster.connectionTo(2), connection);
      assert.equal(await cluster.anyConnection(), connection);
    } finally {
      await cluster.close();
      await broker.close();
    }
  });

  it("Cluster.refreshMetadata() tries the next bootstrap broker when one is unreachable", async () => {
    const broker = await metadataBroker(() => ({ brokers: [], topics: [] }));
    const cluster = new Cluster(
      options([`127.0.0.1:${await deadPort()}`, `127.0.0.1:${broker.port}`]),
    );
    try {
      const result = await cluster.refreshMetadata([]);
      assert.deepEqual(result.topics, []);
      assert.equal(broker.sockets.length, 1);
    } finally {
      await cluster.close();
      await broker.close();
    }
  });

  it("Cluster.refreshMetadata() rejects with a retriable ConnectionError when no broker answers", async () => {
    const cluster = new Cluster(
      options([`127.0.0.1:${await deadPort()}`, `127.0.0.1:${await deadPort()}`]),
    );
    await assert.rejects(cluster.refreshMetadata(["t"]), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.equal(error.retriable, true);
      assert.match(error.message, /^Cannot fetch metadata from any broker: /);
      return true;
    });
    await assert.rejects(cluster.anyConnection(), ConnectionError);
    await cluster.close();
  });

  it("Cluster.updateLeader() applies newer leader hints, ignores older ones, and a later stale answer keeps the hint", async () => {
    let port = 0;
    const broker = await metadataBroker(() => ({
      brokers: [{ nodeId: 1, host: "127.0.0.1", port }],
      topics: [{
        name: "t",
        partitions: [{ partition: 0, leader: 1 }, { partition: 1, leader: 1 }],
      }],
    }));
    port = broker.port;
    const cluster = new Cluster(options(`127.0.0.1:${port}`));
    try {
      await cluster.refreshMetadata(["t"]); // Metadata v1 has no leader epochs (-1)
      cluster.updateLeader("t", 0, 3, 7);
      assert.equal(cluster.leaderFor("t", 0), 3);
      cluster.updateLeader("t", 0, 4, 6); // older epoch
      assert.equal(cluster.leaderFor("t", 0), 3);
      cluster.updateLeader("t", 1, -1, 2); // leader gone
      assert.equal(cluster.leaderFor("t", 1), undefined);
      assert.deepEqual(cluster.availablePartitions("t"), [0]);
      cluster.updateLeader("t", 1, 1, 3);
      assert.deepEqual(cluster.availablePartitions("t"), [0, 1]);
      cluster.updateLeader("t", 9, 1, 3); // out of range: ignored
      cluster.updateLeader("unknown", 0, 1, 3);
      assert.equal(cluster.partitionCount("unknown"), undefined);
    } finally {
      await cluster.close();
      await broker.close();
    }
  });

  it("Cluster.addBrokers() makes hinted brokers reachable; unknown ids reject", async () => {
    const other = await startFakeBroker();
    const broker = await metadataBroker(() => ({ brokers: [], topics: [] }));
    const cluster = new Cluster(options(`127.0.0.1:${broker.port}`));
    try {
      await assert.rejects(
        cluster.connectionTo(7),
        /Cannot connect to broker 7: it is not in the metadata/,
      );
      cluster.addBrokers([{ nodeId: 7, host: "127.0.0.1", port: other.port }]);
      assert.deepEqual(cluster.brokers().map((b) => [b.nodeId, b.port]), [[7, other.port]]);
      const connection = await cluster.connectionTo(7);
      assert.equal(connection.port, other.port);
      // The broker moves: its old connection is closed, the next one goes to the new address.
      cluster.addBrokers([{ nodeId: 7, host: "127.0.0.1", port: broker.port }]);
      await connection.closed;
      assert.equal((await cluster.connectionTo(7)).port, broker.port);
    } finally {
      await cluster.close();
      await broker.close();
      await other.close();
    }
  });

  it("Cluster.connectionTo() shares one attempt between concurrent callers", async () => {
    const broker = await metadataBroker(() => ({ brokers: [], topics: [] }));
    const cluster = new Cluster(options(`127.0.0.1:${broker.port}`));
    try {
      cluster.addBrokers([{ nodeId: 1, host: "127.0.0.1", port: broker.port }]);
      const [a, b, c] = await Promise.all([
        cluster.connectionTo(1),
        cluster.connectionTo(1),
        cluster.connectionTo(1),
      ]);
      assert.equal(a, b);
      assert.equal(b, c);
      assert.equal(broker.sockets.length, 1);
    } finally {
      await cluster.close();
      await broker.close();
    }
  });

  it("Cluster.anyConnection() racing refreshMetadata() at start leaves no connection open after close()", async () => {
    // Regression: both opened a bootstrap connection; the one replaced was never closed and
    // kept the process alive (seen as a CLI that never exited with acks=all and gzip).
    const broker = await metadataBroker(() => ({ brokers: [], topics: [] }));
    const cluster = new Cluster(options(`127.0.0.1:${broker.port}`));
    try {
      const [any] = await Promise.all([
        cluster.anyConnection(),
        cluster.refreshMetadata([]),
        cluster.anyConnection(),
      ]);
      assert.ok(any.isOpen);
      await cluster.close();
      // Every socket the broker accepted must be closed by our side.
      const deadline = Date.now() + 2000;
      while (broker.sockets.some((socket) => !socket.destroyed && !socket.readableEnded)) {
        if (Date.now() > deadline) {
          assert.fail(`${broker.sockets.length} connection(s) accepted, some still open`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await cluster.close();
      await broker.close();
    }
  });

  it("Cluster.connectionTo() waits out the reconnect backoff after a failure; close() ends the wait", async () => {
    // A broker that accepts and hangs up at once: every handshake fails.
    const broker = await startFakeBroker({ onConnection: (socket) => socket.destroy() });
    const cluster = new Cluster(
      options(`127.0.0.1:${broker.port}`, {
        reconnectBackoffMs: 60000,
        reconnectBackoffMaxMs: 60000,
      }),
    );
    cluster.addBrokers([{ nodeId: 1, host: "127.0.0.1", port: broker.port }]);
    await assert.rejects(cluster.connectionTo(1), ConnectionError);
    assert.equal(broker.sockets.length, 1);
    const second = cluster.connectionTo(1); // in backoff: must not connect now
    // refreshMetadata skips the backing-off broker and goes to the bootstrap list instead.
    await assert.rejects(cluster.refreshMetadata([]), ConnectionError);
    const socketsBefore = broker.sockets.length;
    await cluster.close();
    await assert.rejects(second, /the cluster view is closed/);
    assert.equal(broker.sockets.length, socketsBefore, "no connect attempt during the backoff");
    assert.equal(socketsBefore, 2, "one for the failure, one for the bootstrap attempt");
    await broker.close();
  });
});

describe("ExponentialBackoff", () => {
  it("ExponentialBackoff.backoff() doubles from the base up to the cap, with ±20% jitter", () => {
    const backoff = new ExponentialBackoff(50, 1000);
    const reconnectBackoff = (failures: number, _base: number, _max: number, random?: number) =>
      backoff.backoff(failures, random);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 100].map((n) => reconnectBackoff(n, 50, 1000, 0.5)), [
      50,
      100,
      200,
      400,
      800,
      1000,
      1000,
    ]);
    assert.equal(reconnectBackoff(1, 50, 1000, 0), 40);
    assert.equal(reconnectBackoff(1, 50, 1000, 0.999999), 60);
    assert.equal(reconnectBackoff(30, 50, 1000, 0.999999), 1200);
    for (let i = 0; i < 100; i++) {
      const wait = reconnectBackoff(2, 50, 1000);
      assert.ok(wait >= 80 && wait <= 120, String(wait));
    }
  });

  it("ExponentialBackoff.backoff() waits a constant maxMs when maxMs is below initialMs", () => {
    const backoff = new ExponentialBackoff(500, 100);
    assert.deepEqual([1, 2, 10].map((n) => backoff.backoff(n, 0.5)), [100, 100, 100]);
  });
});
