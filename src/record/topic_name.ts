import { describeThrown } from "../errors/describe_thrown.ts";
const TOPIC_PATTERN = /^[a-zA-Z0-9._-]+$/;

/**
 * Checks a topic name by Kafka's rules: 1 to 249 characters of `a-z A-Z 0-9 . _ -`, and not
 * "." or "..". Shared by everything that takes a topic, so a bad name is refused where it is
 * given (the serializer per record, `ToRecordsStream` and the command line up front) rather
 * than when the first record reaches the broker.
 *
 * @param topic The name.
 * @throws {TypeError} Saying which rule the name breaks.
 *
 * @example
 * ```ts
 * import { checkTopicName } from "./topic_name.ts";
 * checkTopicName("events.v1"); // fine
 * let refused = false;
 * try { checkTopicName("a/b"); } catch { refused = true; }
 * if (!refused) throw new Error("a/b must be refused");
 * ```
 */
export function checkTopicName(topic: unknown): asserts topic is string {
  if (typeof topic !== "string" || topic.length === 0) {
    throw new TypeError(
      `Invalid topic ${
        typeof topic === "string" ? `"${topic}"` : describeThrown(topic)
      }: must be a non-empty string`,
    );
  }
  if (topic.length > 249) {
    throw new TypeError(
      `Invalid topic "${topic.slice(0, 40)}…": must be at most 249 characters, got ${topic.length}`,
    );
  }
  if (!TOPIC_PATTERN.test(topic) || topic === "." || topic === "..") {
    throw new TypeError(
      `Invalid topic "${topic}": must use only a-z, A-Z, 0-9, ".", "_" and "-" (and not be "." or "..")`,
    );
  }
}
