// Integration: the connection layer and cluster view against librdkafka's mock cluster, for what
// only the mock can do: exact version caps, a broker's listener closed and reopened on the same
// port, leaders moved instantly. The same layer against real Kafka: tests/real/.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Cluster, type ClusterOptions } from "../../src/broker/cluster.ts";
import { ConnectionError } from "../../src/errors/client_errors.ts";
import { ApiKey } from "../../src/protocol/api_keys.ts";
import { InitProducerIdApi } from "../../src/protocol/init_producer_id.ts";
import { MetadataApi } from "../../src/protocol/metadata.ts";
import { ProduceApi } from "../../src/protocol/produce.ts";
import { type MockCluster, startMockCluster, uniqueTopic } from "../support/mock_cluster.ts";

function options(bootstrapServers: string): ClusterOptions {
  return {
    bootstrapServers,
    connection: { clientId: "sluice-test", requestTimeoutMs: 5000, connectTimeoutMs: 2000 },
    reconnectBackoffMs: 20,
    reconnectBackoffMaxMs: 200,
    metadataMaxAgeMs: 300000,
  };
}

describe("Cluster against the mock cluster", () => {
  let broker: MockCluster;
  before(async () => {
    broker = await startMockCluster({ brokers: 3 });
  });
  after(async () => {
    await broker.close();
  });

  it("BrokerConnection negotiates the full version range with the mock (ApiVersions v3 falls back)", async () => {
    const cluster = new Cluster(options(broker.bootstrap));
    try {
      const connection = await cluster.anyConnection();
      assert.ok(connection.isOpen);
      assert.equal(connection.brokerVersions(ApiKey.ApiVersions)?.maxVersion, 2);
      assert.equal(connection.versionFor(ProduceApi), 10);
      assert.equal(connection.versionFor(MetadataApi), 12);
      assert.equal(connection.versionFor(InitProducerIdApi), 4);
      const metadata = await connection.send(MetadataApi, {
        topics: [],
        allowAutoTopicCreation: true,
      });
      assert.ok(metadata!.brokers.length >= 1);
    } finally {
      await cluster.close();
    }
  });

  it("Cluster.refreshMetadata() describes a 3-broker cluster and every partition's leader", async () => {
    const topic = uniqueTopic("meta");
    await broker.createTopic(topic, 6);
    const cluster = new Cluster(options(broker.bootstrap));
    try {
      const result = await cluster.refreshMetadata([topic]);
      {
        assert.deepEqual(result.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
        assert.deepEqual(cluster.brokers().map((b) => b.nodeId), [1, 2, 3]);
      }
      assert.deepEqual(result.topics.map((t) => [t.name, t.partitionCount, t.error]), [[
        topic,
        6,
        undefined,
      ]]);
      assert.equal(cluster.partitionCount(topic), 6);
      assert.deepEqual(cluster.availablePartitions(topic), [0, 1, 2, 3, 4, 5]);
      const leaders = new Set<number>();
      for (let p = 0; p < 6; p++) {
        const leader = cluster.leaderFor(topic, p);
        assert.ok(leader !== undefined && leader >= 0);
        leaders.add(leader);
        const connection = await cluster.connectionTo(leader);
        assert.equal(connection.nodeId, leader);
      }
      assert.ok(leaders.size > 1, "leaders are spread over brokers");
    } finally {
      await cluster.close();
    }
  });

  it("Cluster.leaderFor() follows a leader move after the next refresh", async () => {
    const topic = uniqueTopic("move");
    await broker.createTopic(topic, 2);
    const cluster = new Cluster(options(broker.bootstrap));
    try {
      await cluster.refreshMetadata([topic]);
      const before = cluster.leaderFor(topic, 0)!;
      const target = (before % 3) + 1;
      await broker.setLeader(topic, 0, target);
      await cluster.refreshMetadata([topic]);
      assert.equal(cluster.leaderFor(topic, 0), target);
    } finally {
      await cluster.close();
    }
  });

  it("Cluster.refreshMetadata() auto-creates a topic it asks for", async () => {
    const topic = uniqueTopic("auto");
    const cluster = new Cluster(options(broker.bootstrap));
    try {
      let count: number | undefined;
      for (let i = 0; i < 50 && !count; i++) {
        await cluster.refreshMetadata([topic]);
        count = cluster.partitionCount(topic);
        if (!count) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(count !== undefined && count > 0);
      assert.equal(count, 4);
      assert.equal(cluster.topicError(topic), undefined);
    } finally {
      await cluster.close();
    }
  });

  it("Cluster reconnects to a broker after it goes down and comes back", async () => {
    const cluster = new Cluster(options(broker.bootstrap));
    try {
      await cluster.refreshMetadata([]);
      const first = await cluster.connectionTo(2);
      await broker.brokerDown(2);
      await first.closed; // the mock drops the broker's connections
      assert.equal(first.isOpen, false);
      await assert.rejects(cluster.connectionTo(2), ConnectionError);
      // Other brokers still answer metadata meanwhile.
      await cluster.refreshMetadata([]);
      await broker.brokerUp(2);
      let reconnected: unknown;
      for (let i = 0; i < 100 && reconnected === undefined; i++) {
        reconnected = await cluster.connectionTo(2).then((c) => c, () => undefined);
        if (reconnected === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(reconnected !== undefined && reconnected !== first);
    } finally {
      await cluster.close();
    }
  });
});

describe("Cluster against a mock restricted to old versions", () => {
  it("BrokerConnection negotiates Produce <= v7 and Metadata <= v2 when the broker offers no more", async () => {
    const old = await startMockCluster({ brokers: 3 });
    const cluster = new Cluster(options(old.bootstrap));
    try {
      await old.setApiVersion(ApiKey.Produce, 0, 7);
      await old.setApiVersion(ApiKey.Metadata, 0, 2);
      const connection = await cluster.anyConnection();
      assert.equal(connection.versionFor(ProduceApi), 7);
      assert.equal(connection.versionFor(MetadataApi), 2);
      const topic = uniqueTopic("old");
      await old.createTopic(topic, 2);
      const result = await cluster.refreshMetadata([topic]);
      assert.equal(cluster.partitionCount(topic), 2);
      assert.equal(typeof result.clusterId, "string", "Metadata v2 carries the cluster id");
      assert.equal(cluster.clusterId, result.clusterId);
    } finally {
      await cluster.close();
      await old.close();
    }
  });
});
