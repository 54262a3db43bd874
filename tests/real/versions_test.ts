// The connection layer against real Kafka: the Produce version negotiated is the newest the
// broker offers (v13 on Kafka 4.1+, v12 on 4.0, v11 on 3.9) unless the client is capped
// (SLUICE_TEST_PRODUCE_MAX), topic ids follow a topic deleted and re-created under the same
// name (UNKNOWN_TOPIC_ID at v13), and the cluster view follows a real leader move.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Cluster } from "../../src/broker/cluster.ts";
import { MetadataApi } from "../../src/protocol/metadata.ts";
import { ProduceApi } from "../../src/protocol/produce.ts";
import { Producer } from "../../mod.ts";
import { type RealKafkaCluster, startRealCluster, uniqueTopic } from "../support/test_cluster.ts";

/** The newest Produce version a Kafka release offers. */
function produceMaxOf(version: string): number {
  const [major, minor] = version.split(".").map(Number) as [number, number];
  if (major >= 4) return minor >= 1 ? 13 : 12;
  return 11; // 3.7 - 3.9
}

/** The newest Metadata version a Kafka release offers. */
function metadataMaxOf(version: string): number {
  return Number(version.split(".")[0]) >= 4 ? 13 : 12;
}

function clusterOptions(bootstrap: string) {
  return {
    bootstrapServers: bootstrap,
    connection: { clientId: "sluice-test", requestTimeoutMs: 10_000, connectTimeoutMs: 10_000 },
    reconnectBackoffMs: 50,
    reconnectBackoffMaxMs: 500,
    metadataMaxAgeMs: 300_000,
  };
}

describe("versions and metadata against real Kafka", () => {
  let cluster: RealKafkaCluster;
  before(async () => {
    cluster = await startRealCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("negotiates the newest Produce version the broker offers (or the test cap)", async () => {
    const view = new Cluster(clusterOptions(cluster.bootstrap));
    try {
      const connection = await view.anyConnection();
      const cap = Number(process.env.SLUICE_TEST_PRODUCE_MAX ?? Infinity);
      const expected = Math.min(produceMaxOf(cluster.info.version), cap, ProduceApi.maxVersion);
      assert.equal(connection.versionFor(ProduceApi), expected, `Kafka ${cluster.info.version}`);
      assert.equal(
        connection.versionFor(MetadataApi),
        Math.min(metadataMaxOf(cluster.info.version), MetadataApi.maxVersion),
      );
    } finally {
      await view.close();
    }
  });

  it("Metadata carries topic ids that change when a topic is re-created", async () => {
    const topic = uniqueTopic("topic-id");
    await cluster.createTopic(topic, 1);
    const view = new Cluster(clusterOptions(cluster.bootstrap));
    try {
      await view.refreshMetadata([topic]);
      const first = view.topicView(topic)?.topicId;
      assert.ok(first !== undefined && first.length === 16, "Metadata v10+ gives a topic id");
      await cluster.deleteTopic(topic);
      await cluster.createTopic(topic, 1);
      await view.refreshMetadata([topic]);
      const second = view.topicView(topic)?.topicId;
      assert.ok(second !== undefined);
      assert.notDeepEqual(second, first);
    } finally {
      await view.close();
    }
  });

  it("a producer goes on after its topic is deleted and re-created under the same name", async () => {
    const topic = uniqueTopic("recreated");
    await cluster.createTopic(topic, 1);
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      retryBackoffMs: 50,
      deliveryTimeoutMs: 60_000,
    });
    try {
      await producer.send({ topic, value: "before" });
      await cluster.deleteTopic(topic);
      await cluster.createTopic(topic, 1);
      // The producer still holds the old topic id (v13) or name: the broker refuses it until
      // metadata is refreshed, then the record goes to the new topic.
      const metadata = await producer.send({ topic, value: "after" });
      assert.equal(metadata.offset, 0n);
    } finally {
      await producer.close();
    }
    const stored = await cluster.readBack(topic, { expected: 1 });
    assert.deepEqual(stored.map((r) => new TextDecoder().decode(r.value!)), ["after"]);
  });

  it("Cluster.leaderFor() follows a leader moved by reassignment and election", async () => {
    const topic = uniqueTopic("leader-move");
    await cluster.createTopic(topic, 1);
    const view = new Cluster(clusterOptions(cluster.bootstrap));
    try {
      await view.refreshMetadata([topic]);
      const before = view.leaderFor(topic, 0)!;
      const target = (before % 3) + 1;
      await cluster.moveLeader(topic, 0, target);
      await view.refreshMetadata([topic]);
      assert.equal(view.leaderFor(topic, 0), target);
    } finally {
      await view.close();
    }
  });
});
