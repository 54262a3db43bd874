// Bench client: KafkaJS 2.2.4 (Node). Sends batches of 1000 messages, up to 5 in flight.
// Usage: node bench/clients/kafkajs_client.mjs BOOTSTRAP TOPIC FILE ACKS KEYED CODEC
import { readFileSync } from "node:fs";
import kafkajs from "kafkajs";

const { Kafka, CompressionTypes, logLevel } = kafkajs;
const [bootstrap, topic, file, acks, keyed, codec] = process.argv.slice(2);
const kafka = new Kafka({ brokers: bootstrap.split(","), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: true });
await producer.connect();
const data = readFileSync(file);
const compression = codec === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None;
const inFlight = new Set();
let messages = [];
let start = 0;
const ackValue = acks === "all" ? -1 : Number(acks);
for (;;) {
  const end = data.indexOf(10, start);
  if (end < 0) break;
  const line = data.subarray(start, end);
  start = end + 1;
  if (keyed === "1") {
    const tab = line.indexOf(9);
    messages.push({ key: line.subarray(0, tab), value: line.subarray(tab + 1) });
  } else messages.push({ value: line });
  if (messages.length === 1000) {
    const p = producer.send({ topic, messages, acks: ackValue, compression }).finally(() =>
      inFlight.delete(p)
    );
    inFlight.add(p);
    messages = [];
    if (inFlight.size >= 5) await Promise.race(inFlight);
  }
}
if (messages.length) inFlight.add(producer.send({ topic, messages, acks: ackValue, compression }));
await Promise.all(inFlight);
await producer.disconnect();
