/** One bar's data: a client's median records/s in one cell. */
export interface ChartResult {
  client: string;
  cell: string;
  recordsPerSecond: number;
}

const COLORS = [
  "#555555",
  "#1f77b4",
  "#4a9ee0",
  "#9ccbf0",
  "#2ca02c",
  "#5fd35f",
  "#a8e6a8",
  "#ff7f0e",
  "#ffb066",
  "#ffd9b3",
  "#d62728",
  "#9467bd",
];

/**
 * Renders grouped horizontal bars (one group per cell, one bar per client) as a standalone
 * SVG, so the README can show the benchmark table at a glance.
 *
 * @example
 * ```ts
 * import { renderChart } from "./chart.ts";
 * const svg = renderChart([{ client: "kcat", cell: "plain", recordsPerSecond: 1e6 }], [{ id: "kcat", label: "kcat" }]);
 * if (!svg.startsWith("<svg")) throw new Error();
 * ```
 */
export function renderChart(
  results: ChartResult[],
  clients: Array<{ id: string; label: string }>,
): string {
  const cells = [...new Set(results.map((r) => r.cell))];
  const shown = clients.filter((c) => results.some((r) => r.client === c.id));
  const max = Math.max(1, ...results.map((r) => r.recordsPerSecond));
  const barHeight = 12;
  const groupGap = 18;
  const left = 170;
  const width = 900;
  const plotWidth = width - left - 90;
  let y = 40;
  const parts: string[] = [];
  for (const cell of cells) {
    parts.push(`<text x="10" y="${y + 10}" font-weight="bold">${cell}</text>`);
    y += 16;
    for (const [index, client] of shown.entries()) {
      const result = results.find((r) => r.cell === cell && r.client === client.id);
      const value = result?.recordsPerSecond ?? 0;
      const w = Math.max(1, (value / max) * plotWidth);
      parts.push(
        `<text x="${left - 6}" y="${y + barHeight - 2}" text-anchor="end">${
          escape(client.label)
        }</text>`,
      );
      parts.push(
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${
          COLORS[index % COLORS.length]
        }"/>`,
      );
      parts.push(
        `<text x="${left + w + 4}" y="${y + barHeight - 2}">${
          value > 0 ? `${Math.round(value / 1000)}k/s` : "failed"
        }</text>`,
      );
      y += barHeight + 2;
    }
    y += groupGap;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="11">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="10" y="20" font-size="14" font-weight="bold">Producer throughput (records/s, higher is better)</text>` +
    parts.join("") + `</svg>\n`;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
