// Deterministic sample data for the codec tests and the compression benchmark.

/** `size` bytes of newline-delimited JSON events, like a typical Kafka topic. */
export function jsonLines(size: number, seed = 12345): Uint8Array {
  const events = ["page_view", "click", "purchase", "signup", "logout", "add_to_cart"];
  const lines: string[] = [];
  let x = seed;
  const random = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line = JSON.stringify({
      id: 1_000_000 + i,
      ts: new Date(1767225600000 + i * 137).toISOString(),
      user: `user-${Math.floor(random() * 50_000)}`,
      event: events[Math.floor(random() * events.length)],
      session: Math.floor(random() * 2 ** 32).toString(16),
      price: Math.round(random() * 100_000) / 100,
      tags: ["web", "mobile", "beta"].slice(0, 1 + Math.floor(random() * 3)),
      ok: random() > 0.1,
    }) + "\n";
    lines.push(line);
    length += line.length;
  }
  return new TextEncoder().encode(lines.join("")).subarray(0, size);
}

/** `length` incompressible bytes from a linear congruential generator. */
export function pseudoRandom(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Inputs that exercise edges: empty, tiny, block boundaries, runs, incompressible, mixed. */
export const SAMPLES: ReadonlyArray<readonly [string, Uint8Array]> = [
  ["empty", new Uint8Array(0)],
  ["one byte", new Uint8Array([7])],
  ["12 bytes", new TextEncoder().encode("abcabcabcabc")],
  ["13 bytes", new TextEncoder().encode("abcabcabcabca")],
  ["JSON lines 300 KB", jsonLines(300_000)],
  ["random 200 KB", pseudoRandom(200_000)],
  ["zeros 300 KB", new Uint8Array(300_000)],
  ["exactly 64 KiB", jsonLines(65_536, 7)],
  ["64 KiB + 1", jsonLines(65_537, 8)],
  [
    "mixed",
    concat(jsonLines(20_000), pseudoRandom(70_000), new Uint8Array(5000), jsonLines(90_000, 3)),
  ],
];
