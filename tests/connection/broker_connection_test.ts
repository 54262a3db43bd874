import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BrokerConnection } from "../../src/connection/broker_connection.ts";
import { ConnectionError, ProtocolError, TimeoutError } from "../../src/errors/client_errors.ts";
import { ApiKey } from "../../src/protocol/api_keys.ts";
import { ApiVersionsApi } from "../../src/protocol/api_versions.ts";
import { InitProducerIdApi } from "../../src/protocol/init_producer_id.ts";
import { MetadataApi } from "../../src/protocol/metadata.ts";
import { ProduceApi } from "../../src/protocol/produce.ts";
import {
  type FakeBrokerOptions,
  type FakeRequest,
  frameOf,
  readMetadataV1Topics,
  startFakeBroker,
  until,
  writeMetadataV1,
} from "./fake_broker.ts";

function connectTo(port: number, extra: { requestTimeoutMs?: number; maxInFlight?: number } = {}) {
  return BrokerConnection.connect({ host: "127.0.0.1", port, nodeId: 1 }, {
    clientId: "sluice-test",
    requestTimeoutMs: extra.requestTimeoutMs ?? 5000,
    connectTimeoutMs: 2000,
    ...(extra.maxInFlight === undefined ? {} : { maxInFlight: extra.maxInFlight }),
  });
}

/** Answers a Metadata v1 request with controllerId = the number in its first topic's name. */
function answerMetadata(request: FakeRequest): void {
  const topics = readMetadataV1Topics(request.body) ?? [];
  const marker = Number(topics[0]?.slice(1) ?? -1);
  request.socket.write(
    frameOf(
      request.correlationId,
      (w) => writeMetadataV1(w, { brokers: [], controllerId: marker, topics: [] }),
    ),
  );
}

async function withBroker(
  options: FakeBrokerOptions,
  test: (broker: Awaited<ReturnType<typeof startFakeBroker>>) => Promise<void>,
): Promise<void> {
  const broker = await startFakeBroker(options);
  try {
    await test(broker);
  } finally {
    await broker.close();
  }
}

const metadataFor = (marker: number) => ({
  topics: [{ name: `t${marker}` }],
  allowAutoTopicCreation: true,
});

describe("BrokerConnection", () => {
  it("BrokerConnection.connect() retries ApiVersions with the broker's highest version after v3 is refused", async () => {
    await withBroker({ apiVersionsMax: 2 }, async (broker) => {
      const connection = await connectTo(broker.port);
      assert.deepEqual(broker.apiVersionsRequests, [3, 2]);
      assert.deepEqual(connection.brokerVersions(ApiKey.Produce), {
        apiKey: 0,
        minVersion: 3,
        maxVersion: 9,
      });
      assert.equal(connection.versionFor(ProduceApi), 9);
      assert.equal(connection.versionFor(MetadataApi), 1);
      await connection.close();
    });
  });

  it("BrokerConnection.connect() falls back to ApiVersions v0 when the refusal lists nothing", async () => {
    await withBroker({ apiVersionsMax: 0, malformedFallback: true }, async (broker) => {
      const connection = await connectTo(broker.port);
      assert.deepEqual(broker.apiVersionsRequests, [3, 0]);
      assert.equal(connection.versionFor(ProduceApi), 9);
      await connection.close();
    });
  });

  it("BrokerConnection.connect() uses ApiVersions v3 when the broker speaks it", async () => {
    await withBroker({ apiVersionsMax: 3 }, async (broker) => {
      const connection = await connectTo(broker.port);
      assert.deepEqual(broker.apiVersionsRequests, [3]);
      await connection.close();
    });
  });

  it("BrokerConnection.versionFor() throws ProtocolError naming both ranges when they do not overlap", async () => {
    await withBroker(
      { apis: [[ApiKey.Metadata, 0, 0], [ApiKey.ApiVersions, 0, 2]] },
      async (broker) => {
        const connection = await connectTo(broker.port);
        assert.throws(() => connection.versionFor(MetadataApi), (error: unknown) => {
          assert.ok(error instanceof ProtocolError);
          assert.equal(error.code, "UNSUPPORTED_VERSION");
          assert.match(
            error.message,
            new RegExp(`Metadata.*v0-v0.*v1-v${MetadataApi.maxVersion}$`),
          );
          return true;
        });
        assert.throws(() => connection.versionFor(InitProducerIdApi), /does not support it/);
        await assert.rejects(connection.send(MetadataApi, metadataFor(1)), ProtocolError);
        assert.equal(connection.isOpen, true, "a version mismatch does not close the connection");
        await connection.close();
      },
    );
  });

  it("BrokerConnection.send() matches pipelined responses by correlation id when answered out of order", async () => {
    const held: FakeRequest[] = [];
    await withBroker({
      onRequest: (request) => {
        held.push(request);
        if (held.length === 4) {
          for (const r of [held[2]!, held[0]!, held[3]!, held[1]!]) answerMetadata(r);
        }
      },
    }, async (broker) => {
      const connection = await connectTo(broker.port);
      const sent = [0, 1, 2, 3].map((i) => connection.send(MetadataApi, metadataFor(i)));
      assert.equal(connection.inFlight, 4);
      const answers = await Promise.all(sent);
      assert.deepEqual(answers.map((a) => a!.controllerId), [0, 1, 2, 3]);
      assert.equal(connection.inFlight, 0);
      const ids = held.map((r) => r.correlationId);
      assert.equal(new Set(ids).size, 4, "correlation ids are distinct");
      assert.ok(held.every((r) => r.clientId === "sluice-test"));
      await connection.close();
    });
  });

  it("BrokerConnection.send() ignores a response with an unknown correlation id", async () => {
    await withBroker({
      onRequest: (request) => {
        request.socket.write(
          frameOf(
            request.correlationId + 1000,
            (w) => writeMetadataV1(w, { brokers: [], topics: [] }),
          ),
        );
        answerMetadata(request);
      },
    }, async (broker) => {
      const connection = await connectTo(broker.port);
      const answer = await connection.send(MetadataApi, metadataFor(5));
      assert.equal(answer!.controllerId, 5);
      assert.equal(connection.isOpen, true);
      await connection.close();
    });
  });

  it("BrokerConnection.send() with expectResponse false resolves with undefined once written", async () => {
    const seen: number[] = [];
    await withBroker({ onRequest: (request) => seen.push(request.apiKey) }, async (broker) => {
      const connection = await connectTo(broker.port);
      const result = await connection.send(MetadataApi, metadataFor(1), { expectResponse: false });
      assert.equal(result, undefined);
      assert.equal(connection.inFlight, 0);
      await connection.close(); // close() still sends what was queued
      await until(() => seen.length === 1);
      assert.deepEqual(seen, [ApiKey.Metadata]);
    });
  });

  it("BrokerConnection.send() rejects with REQUEST_TIMEOUT after requestTimeoutMs and closes the connection", async () => {
    await withBroker({}, async (broker) => {
      const connection = await connectTo(broker.port, { requestTimeoutMs: 150 });
      const first = connection.send(MetadataApi, metadataFor(1));
      await assert.rejects(first, (error: unknown) => {
        assert.ok(error instanceof TimeoutError);
        assert.equal(error.code, "REQUEST_TIMEOUT");
        assert.equal(error.retriable, true);
        assert.match(
          error.message,
          /Metadata to broker 1 \(127\.0\.0\.1:\d+\) timed out after requestTimeoutMs \(150 ms\)/,
        );
        return true;
      });
      assert.equal(connection.isOpen, false);
      await connection.closed;
      await until(() => broker.sockets[0]!.destroyed || broker.sockets[0]!.readableEnded);
      await assert.rejects(connection.send(MetadataApi, metadataFor(2)), ConnectionError);
    });
  });

  it("BrokerConnection rejects every pending request with a retriable ConnectionError when the socket dies", async () => {
    let count = 0;
    await withBroker({
      onRequest: (request) => {
        if (++count === 3) request.socket.destroy();
      },
    }, async (broker) => {
      const connection = await connectTo(broker.port);
      const results = await Promise.allSettled(
        [1, 2, 3].map((i) => connection.send(MetadataApi, metadataFor(i))),
      );
      for (const result of results) {
        assert.equal(result.status, "rejected");
        const reason = (result as PromiseRejectedResult).reason;
        assert.ok(reason instanceof ConnectionError, String(reason));
        assert.equal(reason.retriable, true);
        assert.match(reason.message, /^Connection to broker 1 \(127\.0\.0\.1:\d+\) was lost: /);
        assert.ok(reason.cause instanceof Error);
      }
      assert.equal(connection.isOpen, false);
      assert.equal(connection.inFlight, 0);
      await assert.rejects(
        connection.send(MetadataApi, metadataFor(4)),
        /the connection is closed/,
      );
    });
  });

  it("BrokerConnection fails pending requests when the broker closes the connection cleanly", async () => {
    await withBroker({ onRequest: (request) => request.socket.end() }, async (broker) => {
      const connection = await connectTo(broker.port);
      await assert.rejects(connection.send(MetadataApi, metadataFor(1)), (error: unknown) => {
        assert.ok(error instanceof ConnectionError);
        assert.match(error.message, /Broker 1 \(127\.0\.0\.1:\d+\) closed the connection/);
        return true;
      });
      assert.equal(connection.isOpen, false);
    });
  });

  it("BrokerConnection.close() rejects pending requests with ConnectionError and is idempotent", async () => {
    await withBroker({}, async (broker) => {
      const connection = await connectTo(broker.port);
      const pending = connection.send(MetadataApi, metadataFor(1));
      const closing = connection.close();
      await assert.rejects(pending, (error: unknown) => {
        assert.ok(error instanceof ConnectionError);
        assert.match(error.message, /^Connection to broker 1 \(127\.0\.0\.1:\d+\) was closed$/);
        return true;
      });
      await closing;
      await connection.close();
      assert.equal(connection.isOpen, false);
      assert.equal(connection.writable, false);
    });
  });

  it("BrokerConnection closes with ProtocolError when a response cannot be decoded", async () => {
    await withBroker({
      onRequest: (request) =>
        request.socket.write(frameOf(request.correlationId, (w) => w.int32(0))),
    }, async (broker) => {
      const connection = await connectTo(broker.port);
      const other = connection.send(ApiVersionsApi, {}, { version: 0 }); // answered by the fake
      await other;
      await assert.rejects(connection.send(MetadataApi, metadataFor(1)), ProtocolError);
      assert.equal(connection.isOpen, false);
    });
  });

  it("BrokerConnection rejects pending requests with a ProtocolError cause on an absurd frame size", async () => {
    await withBroker({
      onRequest: (request) => request.socket.write(new Uint8Array([0x7f, 0xff, 0xff, 0xff])),
    }, async (broker) => {
      const connection = await connectTo(broker.port);
      await assert.rejects(connection.send(MetadataApi, metadataFor(1)), (error: unknown) => {
        assert.ok(error instanceof ConnectionError);
        assert.ok(error.cause instanceof ProtocolError);
        return true;
      });
    });
  });

  it("BrokerConnection.writable turns false at maxInFlight and drained() resolves when a response frees a slot", async () => {
    const held: FakeRequest[] = [];
    await withBroker({ onRequest: (request) => held.push(request) }, async (broker) => {
      const connection = await connectTo(broker.port, { maxInFlight: 2 });
      assert.equal(connection.writable, true);
      const first = connection.send(MetadataApi, metadataFor(1));
      const second = connection.send(MetadataApi, metadataFor(2));
      assert.equal(connection.writable, false);
      let drained = false;
      const draining = connection.drained().then(() => drained = true);
      await until(() => held.length === 2);
      assert.equal(drained, false);
      answerMetadata(held[0]!);
      await draining;
      assert.equal(connection.writable, true);
      assert.equal((await first)!.controllerId, 1);
      answerMetadata(held[1]!);
      await second;
      await connection.close();
    });
  });

  it("BrokerConnection.connect() rejects with ConnectionError when nothing listens", async () => {
    const broker = await startFakeBroker();
    const port = broker.port;
    await broker.close();
    await assert.rejects(connectTo(port), ConnectionError);
  });

  it("BrokerConnection.connect() rejects with TimeoutError when the handshake is never answered", async () => {
    await withBroker({ onConnection: (socket) => socket.pause() }, async (broker) => {
      await assert.rejects(connectTo(broker.port, { requestTimeoutMs: 100 }), TimeoutError);
    });
  });
});
