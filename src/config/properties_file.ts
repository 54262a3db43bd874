/**
 * Parses a Java `.properties` text (kcat's `-F FILE`, Java's `--producer.config`): one
 * `name=value` (or `name: value`, or `name value`) per line; `#` and `!` start comments; a line
 * ending in an odd number of backslashes continues on the next (leading blanks dropped, as in
 * Java, so a long `sasl.jaas.config` can be split); `\\`, `\=`, `\:`, `\t`, `\n`, `\r`,
 * `\uXXXX` are unescaped and any other `\x` stands for `x`. A later line overrides an earlier
 * one.
 *
 * @param text The file's text.
 * @returns The properties, in file order.
 * @throws {TypeError} When a line has an empty name (naming the line number only: values may
 * be secrets).
 *
 * @example
 * ```ts
 * import { parseProperties } from "./properties_file.ts";
 * const properties = parseProperties(
 *   "# client.properties\nsecurity.protocol=SASL_SSL\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule \\\n    required username=\"alice\" password=\"s3cret\";\n",
 * );
 * if (properties["security.protocol"] !== "SASL_SSL") throw new Error();
 * if (!properties["sasl.jaas.config"]!.endsWith('PlainLoginModule required username="alice" password="s3cret";')) throw new Error();
 * ```
 */
export function parseProperties(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    let line = lines[i]!.replace(/^[ \t\f]+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    // Join continuation lines: an odd number of trailing backslashes escapes the line end.
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, "");
    }
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1);
    // The name ends at the first unescaped "=", ":" or blank.
    let end = 0;
    while (end < line.length && !/[=: \t\f]/.test(line[end]!)) end += line[end] === "\\" ? 2 : 1;
    const name = unescape(line.slice(0, end));
    let rest = line.slice(end).replace(/^[ \t\f]+/, "");
    if (rest.startsWith("=") || rest.startsWith(":")) rest = rest.slice(1).replace(/^[ \t\f]+/, "");
    if (name === "") {
      throw new TypeError(`Invalid properties line ${number}: it has no name before "="`);
    }
    properties[name] = unescape(rest);
  }
  return properties;
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === "\\"; i--) count++;
  return count % 2 === 1;
}

function unescape(text: string): string {
  if (!text.includes("\\")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\" || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[++i]!;
    if (next === "t") out += "\t";
    else if (next === "n") out += "\n";
    else if (next === "r") out += "\r";
    else if (next === "f") out += "\f";
    else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += next;
  }
  return out;
}
