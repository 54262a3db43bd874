// Bench client: @platformatic/kafka (Node >= 22.22). Sends batches of 1000 messages, up to 5
// in flight, as its docs suggest for throughput.
// Usage: node bench/clients/platformatic_client.mjs BOOTSTRAP TOPIC FILE ACKS KEYED CODEC
import { readFileSync } from "node:fs";
import { Producer } from "@platformatic/kafka";

const [bootstrap, topic, file, acks, keyed, codec] = process.argv.slice(2);
const producer = new Producer({
  clientId: "bench",
  bootstrapBrokers: bootstrap.split(","),
  acks: acks === "all" ? -1 : Number(acks),
  compression: codec === "none" ? undefined : codec,
  idempotent: false,
  autocreateTopics: true,
});
const data = readFileSync(file);
const inFlight = new Set();
let messages = [];
let start = 0;
for (;;) {
  const end = data.indexOf(10, start);
  if (end < 0) break;
  const line = data.subarray(start, end);
  start = end + 1;
  if (keyed === "1") {
    const tab = line.indexOf(9);
    messages.push({ topic, key: line.subarray(0, tab), value: line.subarray(tab + 1) });
  } else messages.push({ topic, value: line });
  if (messages.length === 1000) {
    const p = producer.send({ messages }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    messages = [];
    if (inFlight.size >= 5) await Promise.race(inFlight);
  }
}
if (messages.length) inFlight.add(producer.send({ messages }));
await Promise.all(inFlight);
await producer.close();
