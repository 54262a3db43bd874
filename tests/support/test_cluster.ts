// One interface for the brokers the integration tests run against, with three providers:
// - "real": Apache Kafka started by tests/kafka's launcher (the broker of record; default);
// - "mock": librdkafka's mock cluster (tests/broker), for what only it can do: any error code on
//   demand, API version caps, RTTs, request tracking — tests needing those call
//   startMockCluster() directly;
// - "external": KAFKA_BOOTSTRAP=host:port points every startCluster() at an outside cluster
//   (topics by auto-creation, kcat as the only reader).
// SLUICE_BROKER=mock runs every startCluster() test on the mock instead (quick local runs; the
// mock cannot prove what tests/broker/README.md lists).
import { execFile } from "node:child_process";
import process from "node:process";
import { readTopic, type StoredRecord } from "./kcat.ts";
import {
  type ReadBackOptions,
  type RealKafkaCluster,
  startRealCluster,
  type TopicOptions,
} from "./kafka_cluster.ts";
import { type MockCluster, startMockCluster, uniqueTopic } from "./mock_cluster.ts";
import { capClientVersion } from "../../src/connection/client_version_caps.ts";
import { ApiKey } from "../../src/protocol/api_keys.ts";

// SLUICE_TEST_PRODUCE_MAX=11 (or 9) runs every integration test with the client capped at that
// Produce version, proving the older request shapes against brokers that offer v13.
const produceCap = process.env.SLUICE_TEST_PRODUCE_MAX;
if (produceCap) capClientVersion(ApiKey.Produce, Number(produceCap));

export { type MockCluster, type RealKafkaCluster, startMockCluster, startRealCluster, uniqueTopic };
export type { ReadBackOptions, TopicOptions };

/** What every provider offers. */
export interface TestCluster {
  readonly provider: "real" | "mock" | "external";
  /** Plaintext bootstrap servers, "127.0.0.1:port,...". */
  readonly bootstrap: string;
  /**
   * Creates a topic with exactly `partitions` partitions and waits until each has a leader.
   * `options` (replication, configs) apply on real Kafka; the mock ignores them.
   */
  createTopic(name: string, partitions: number, options?: TopicOptions): Promise<void>;
  /**
   * Reads a topic back with decoders we did not write: kcat (CRCs checked), and on real Kafka
   * also Java's KafkaConsumer, which must agree with kcat record for record.
   */
  readBack(topic: string, options?: ReadBackOptions): Promise<StoredRecord[]>;
  /** Releases the cluster (stops what this process started); idempotent. */
  close(): Promise<void>;
}

/** Options of {@linkcode startCluster}. */
export interface ClusterOptions {
  /** Topics to create up front. @default none */
  topics?: Array<{ name: string; partitions: number }>;
}

/** Which provider startCluster() hands out in this process. */
export function defaultProvider(): TestCluster["provider"] {
  if (process.env.KAFKA_BOOTSTRAP) return "external";
  return process.env.SLUICE_BROKER === "mock" ? "mock" : "real";
}

/**
 * A cluster for a test file (close it in `after()`): real Kafka unless KAFKA_BOOTSTRAP or
 * SLUICE_BROKER=mock says otherwise. The real cluster is shared by the whole run (3 nodes):
 * use uniqueTopic() names.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  let cluster: TestCluster;
  switch (defaultProvider()) {
    case "external":
      cluster = new ExternalCluster(process.env.KAFKA_BOOTSTRAP!);
      break;
    case "mock":
      cluster = await startMockCluster({ brokers: 3 });
      break;
    default:
      cluster = await startRealCluster();
  }
  for (const topic of options.topics ?? []) {
    await cluster.createTopic(topic.name, topic.partitions);
  }
  return cluster;
}

function kcatMetadata(bootstrap: string, topic: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // allow.auto.create.topics: the Metadata request asks the broker to create the topic
    // (it does when auto.create.topics.enable is on, Kafka's default).
    const args = ["-L", "-b", bootstrap, "-t", topic, "-J", "-X", "allow.auto.create.topics=true"];
    execFile("kcat", args, { timeout: 30_000, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`Command "kcat ${args.join(" ")}" failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A cluster outside our control (KAFKA_BOOTSTRAP): topics by auto-creation, kcat reads. */
class ExternalCluster implements TestCluster {
  readonly provider = "external" as const;
  readonly bootstrap: string;

  constructor(bootstrap: string) {
    this.bootstrap = bootstrap;
  }

  async createTopic(name: string, partitions: number): Promise<void> {
    // kcat cannot send CreateTopics; a Metadata request for the topic makes brokers with
    // auto.create.topics.enable create it with num.partitions partitions. Wait until every
    // partition has a leader, so the first produce does not race the creation.
    const deadline = Date.now() + 30_000;
    let last = "";
    for (;;) {
      const metadata = JSON.parse(await kcatMetadata(this.bootstrap, name)) as {
        topics?: Array<{ topic: string; error?: string; partitions?: Array<{ leader: number }> }>;
      };
      const entry = metadata.topics?.find((t) => t.topic === name);
      const found = entry?.partitions ?? [];
      if (entry?.error === undefined && found.length > 0 && found.every((p) => p.leader >= 0)) {
        if (found.length < partitions) {
          throw new Error(
            `Cannot create topic "${name}" with ${partitions} partitions on ${this.bootstrap}: ` +
              `auto-creation gave it ${found.length} (the broker's num.partitions); ` +
              `create it beforehand with kafka-topics.sh --create --partitions ${partitions}`,
          );
        }
        return;
      }
      last = entry?.error ?? "no partitions yet";
      if (Date.now() > deadline) {
        throw new Error(
          `Cannot create topic "${name}" on ${this.bootstrap}: ${last} (is auto.create.topics.enable on?)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  readBack(topic: string, options: ReadBackOptions = {}): Promise<StoredRecord[]> {
    const isolation = options.isolation ?? "read_uncommitted";
    return readTopic(this.bootstrap, topic, {
      ...options,
      config: { ...options.config, "isolation.level": isolation },
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The real cluster behind a TestCluster, or undefined for the mock and external providers. */
export function asReal(cluster: TestCluster): RealKafkaCluster | undefined {
  return cluster.provider === "real" ? cluster as RealKafkaCluster : undefined;
}

/** Narrows to the mock (tests that registered mock-only faults). */
export function asMock(cluster: TestCluster): MockCluster | undefined {
  return cluster.provider === "mock" ? cluster as unknown as MockCluster : undefined;
}
