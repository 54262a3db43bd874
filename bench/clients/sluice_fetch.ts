// Bench client: a fetch() body piped into a topic, as an edge script would:
//   json:  fetch(url).body → NdjsonStream → ToRecordsStream (key from the "user" field) → writable
//          (every event parsed and re-serialized as JSON)
//   lines: fetch(url).body → ByteLineStream → ToRecordsStream → writable (each line forwarded
//          as bytes, no decoding or parsing)
// Usage: <runtime> bench/clients/sluice_fetch.ts json|lines URL BOOTSTRAP TOPIC ACKS CODEC [BATCH_SIZE]
import process from "node:process";
import module from "node:module";

if (!("Deno" in globalThis) && !("Bun" in globalThis)) {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
}
const { ByteLineStream, jsonSerializer, NdjsonStream, Producer, ToRecordsStream } = await import(
  "../../mod.ts"
);

const [mode, url, bootstrap, topic, acks, codec, batchSize] = process.argv.slice(2) as string[];
const common = {
  bootstrapServers: bootstrap!,
  acks: acks === "all" ? "all" as const : Number(acks) as 0 | 1,
  lingerMs: 5,
  compressionType: (codec ?? "none") as "none",
  ...(batchSize ? { batchSize: Number(batchSize) } : {}),
};
const response = await fetch(url!);
if (!response.ok || response.body === null) throw new Error(`GET ${url} gave ${response.status}`);
if (mode === "json") {
  interface Event {
    user: string;
  }
  const producer = new Producer<string, Event>({ ...common, valueSerializer: jsonSerializer });
  await response.body
    .pipeThrough(new NdjsonStream<Event>())
    .pipeThrough(new ToRecordsStream<Event, string>(topic!, { key: (event) => event.user }))
    .pipeTo(producer.writable);
  await producer.close();
} else {
  const producer = new Producer<Uint8Array, Uint8Array>(common);
  await response.body
    .pipeThrough(new ByteLineStream())
    .pipeThrough(new ToRecordsStream<Uint8Array, Uint8Array>(topic!))
    .pipeTo(producer.writable);
  await producer.close();
}
