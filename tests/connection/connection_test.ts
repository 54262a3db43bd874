import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { FrameReader } from "../../src/connection/frame_reader.ts";
import { BrokerConnection } from "../../src/connection/broker_connection.ts";
import { Cluster } from "../../src/broker/cluster.ts";
import { ConnectionError, ProtocolError, TimeoutError } from "../../src/errors/client_errors.ts";
import { MetadataApi } from "../../src/protocol/metadata.ts";
import { ProduceApi } from "../../src/protocol/produce.ts";
import { ApiKey } from "../../src/protocol/api_keys.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { Writer } from "../../src/protocol/writer.ts";
import {
  faultInjectionAvailable,
  startCluster,
  type TestCluster,
  uniqueTopic,
} from "../support/mock_cluster.ts";

describe("FrameReader", () => {
  const frames = [
    new Uint8Array([1, 2, 3]),
    new Uint8Array(0),
    new Uint8Array(1000).fill(9),
    new Uint8Array([4]),
  ];
  const stream = new Writer(16);
  for (const frame of frames) stream.int32(frame.length).raw(frame);
  const bytes = stream.toBytes().slice();

  for (const size of [1, 2, 3, 5, 7, 64, 4096]) {
    it(`push() splits frames across ${size}-byte chunks`, () => {
      const out: number[][] = [];
      const reader = new FrameReader((frame) => out.push([...frame]));
      for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
      assert.deepEqual(out, frames.map((f) => [...f]));
    });
  }

  it("push() rejects a negative or absurd size with ProtocolError", () => {
    assert.throws(
      () => new FrameReader(() => {}).push(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0])),
      ProtocolError,
    );
    assert.throws(
      () => new FrameReader(() => {}).push(new Uint8Array([0x7f, 0xff, 0xff, 0xff])),
      ProtocolError,
    );
  });
});

/** A tiny fake broker: answers ApiVersions v0 (or 35 to v3 first), and lets tests script the rest. */
function fakeBroker(
  onRequest: (apiKey: number, version: number, correlationId: number, socket: Socket) => void,
): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    const reader = new FrameReader((frame) => {
      const r = new Reader(frame);
      const apiKey = r.int16();
      const version = r.int16();
      const correlationId = r.int32();
      if (apiKey === ApiKey.ApiVersions) {
        const w = new Writer(64);
        const size = w.reserve(4);
        w.int32(correlationId);
        if (version >= 3) {
          w.int16(35).int32(1).int16(18).int16(0).int16(2); // UNSUPPORTED_VERSION, v0 body
        } else {
          w.int16(0).int32(3);
          w.int16(0).int16(3).int16(9).int16(3).int16(1).int16(9).int16(18).int16(0).int16(2);
          if (version >= 1) w.int32(0);
        }
        w.setInt32At(size, w.length - 4);
        socket.write(w.toBytes().slice());
        return;
      }
      onRequest(apiKey, version, correlationId, socket);
    });
    socket.on("data", (chunk) => reader.push(chunk));
    socket.on("error", () => {});
  });
  return new Promise((resolve) =>
    server.listen(
      0,
      "127.0.0.1",
      () => resolve({ server, port: (server.address() as { port: number }).port, sockets }),
    )
  );
}

function metadataAnswer(correlationId: number): Uint8Array {
  const w = new Writer(64);
  const size = w.reserve(4);
  w.int32(correlationId).int32(0).int32(0).int32(-1).int32(0); // v1: brokers [] controller topics []
  w.setInt32At(size, w.length - 4);
  return w.toBytes().slice();
}

const connectTo = (port: number, requestTimeoutMs = 5000) =>
  BrokerConnection.connect({
    host: "127.0.0.1",
    port,
    nodeId: 1,
    clientId: "test",
    requestTimeoutMs,
    connectTimeoutMs: 2000,
  });

describe("BrokerConnection", () => {
  it("falls back from ApiVersions v3 to the version the broker names, and negotiates versions", async () => {
    const fake = await fakeBroker(() => {});
    const connection = await connectTo(fake.port);
    assert.equal(connection.versionFor(ProduceApi), 9);
    assert.equal(connection.versionFor(MetadataApi), 9);
    await connection.close();
    fake.server.close();
  });

  it("matches pipelined responses to requests by correlation id, in any order", async () => {
    const held: Array<[number, Socket]> = [];
    const fake = await fakeBroker((_key, _version, correlationId, socket) => {
      held.push([correlationId, socket]);
      if (held.length === 3) { for (const [id, s] of held.reverse()) s.write(metadataAnswer(id)); }
    });
    const connection = await connectTo(fake.port);
    const answers = await Promise.all(
      [0, 1, 2].map(() => connection.send(MetadataApi, { topics: [] }, { version: 1 })),
    );
    assert.equal(answers.length, 3);
    for (const answer of answers) assert.deepEqual(answer!.topics, []);
    await connection.close();
    fake.server.close();
  });

  it("rejects a request with REQUEST_TIMEOUT after requestTimeoutMs and closes the connection", async () => {
    const fake = await fakeBroker(() => {});
    const connection = await connectTo(fake.port, 200);
    await assert.rejects(
      connection.send(MetadataApi, { topics: [] }, { version: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof TimeoutError);
        assert.equal(error.code, "REQUEST_TIMEOUT");
        assert.equal(error.retriable, true);
        return true;
      },
    );
    assert.equal(connection.isOpen, false);
    fake.server.close();
  });

  it("rejects every pending request with a retriable ConnectionError when the socket dies", async () => {
    let count = 0;
    const fake = await fakeBroker((_k, _v, _c, socket) => {
      if (++count === 2) socket.destroy();
    });
    const connection = await connectTo(fake.port);
    const results = await Promise.allSettled(
      [0, 1].map(() => connection.send(MetadataApi, { topics: [] }, { version: 1 })),
    );
    for (const result of results) {
      assert.equal(result.status, "rejected");
      const reason = (result as PromiseRejectedResult).reason;
      assert.ok(reason instanceof ConnectionError, String(reason));
      assert.equal(reason.retriable, true);
    }
    await assert.rejects(connection.send(MetadataApi, { topics: [] }), ConnectionError);
    fake.server.close();
  });

  it("connect() fails with ConnectionError when nothing listens", async () => {
    const fake = await fakeBroker(() => {});
    const port = fake.port;
    await new Promise((resolve) => fake.server.close(resolve));
    await assert.rejects(connectTo(port), ConnectionError);
  });
});

describe("Cluster against the mock cluster", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ brokers: 3 });
  });
  after(async () => {
    await cluster.close();
  });

  const view = () =>
    new Cluster({
      bootstrapServers: cluster.bootstrap,
      clientId: "test",
      requestTimeoutMs: 5000,
      connectTimeoutMs: 2000,
      reconnectBackoffMs: 20,
      reconnectBackoffMaxMs: 200,
      metadataMaxAgeMs: 300000,
    });

  it("negotiates the full version range (Produce v10, Metadata v12 on the mock)", async () => {
    const clusterView = view();
    const connection = await clusterView.anyConnection();
    if (cluster.isMock) {
      assert.equal(connection.versionFor(ProduceApi), 10);
      assert.equal(connection.versionFor(MetadataApi), 12);
    } else {
      assert.ok(connection.versionFor(ProduceApi) >= 3);
    }
    await clusterView.close();
  });

  it("fetches metadata for a 3-broker cluster and finds every partition's leader", async () => {
    const topic = uniqueTopic("meta");
    await cluster.createTopic(topic, 6);
    const clusterView = view();
    await clusterView.refreshMetadata([topic]);
    assert.equal(
      clusterView.partitionCount(topic),
      cluster.isMock ? 6 : clusterView.partitionCount(topic),
    );
    const leaders = new Set<number>();
    for (let p = 0; p < clusterView.partitionCount(topic)!; p++) {
      const leader = clusterView.leaderFor(topic, p)!;
      assert.ok(leader >= 0);
      leaders.add(leader);
      const connection = await clusterView.connectionTo(leader);
      assert.equal(connection.nodeId, leader);
    }
    if (cluster.isMock) assert.ok(leaders.size > 1, "leaders spread over brokers");
    await clusterView.close();
  });

  it("negotiates down when the broker is limited to Produce <= v7 and Metadata <= v2", async () => {
    if (!faultInjectionAvailable()) return;
    const old = await startCluster({ brokers: 3 });
    try {
      await old.setApiVersion(0, 0, 7);
      await old.setApiVersion(3, 0, 2);
      const clusterView = new Cluster({
        bootstrapServers: old.bootstrap,
        clientId: "t",
        requestTimeoutMs: 5000,
        connectTimeoutMs: 2000,
        reconnectBackoffMs: 20,
        reconnectBackoffMaxMs: 200,
        metadataMaxAgeMs: 300000,
      });
      const connection = await clusterView.anyConnection();
      assert.equal(connection.versionFor(ProduceApi), 7);
      assert.equal(connection.versionFor(MetadataApi), 2);
      const topic = uniqueTopic("old");
      await old.createTopic(topic, 2);
      await clusterView.refreshMetadata([topic]);
      assert.equal(clusterView.partitionCount(topic), 2);
      await clusterView.close();
    } finally {
      await old.close();
    }
  });

  it("reconnects with backoff after a broker goes down and comes back", async () => {
    if (!faultInjectionAvailable()) return;
    const clusterView = view();
    await clusterView.refreshMetadata([]);
    await cluster.brokerDown(2);
    await assert.rejects(clusterView.connectionTo(2), ConnectionError);
    await cluster.brokerUp(2);
    let connected = false;
    for (let i = 0; i < 50 && !connected; i++) {
      connected = await clusterView.connectionTo(2).then(() => true, () => false);
      if (!connected) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(connected);
    await clusterView.close();
  });
});
