/**
 * A small SVG line chart for the docs: one panel per series, stacked, each with its own scale
 * (event-loop delay in ms and heap in MB do not share one). No dependency: a few dozen lines.
 */
export interface PlotSeries {
  name: string;
  points: Array<[number, number]>;
  color: string;
}

const WIDTH = 760;
const PANEL = 170;
const LEFT = 60;
const RIGHT = 20;
const TOP = 40;
const GAP = 50;

export function plotSvg(chart: { title: string; xLabel: string; series: PlotSeries[] }): string {
  const xs = chart.series.flatMap((s) => s.points.map(([x]) => x));
  const xMax = Math.max(1, ...xs);
  const height = TOP + chart.series.length * (PANEL + GAP);
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${esc(chart.title)}</text>`,
  ];
  chart.series.forEach((series, i) => {
    const top = TOP + i * (PANEL + GAP);
    const yMax = niceCeiling(Math.max(1e-9, ...series.points.map(([, y]) => y)));
    const x = (v: number) => LEFT + (v / xMax) * (WIDTH - LEFT - RIGHT);
    const y = (v: number) => top + PANEL - (v / yMax) * PANEL;
    parts.push(
      `<rect x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#999"/>`,
    );
    for (const f of [0, 0.5, 1]) {
      parts.push(`<text x="${LEFT - 6}" y="${y(yMax * f) + 4}" text-anchor="end">${round(yMax * f)}</text>`);
      parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(yMax * f)}" y2="${y(yMax * f)}" stroke="#eee"/>`);
    }
    for (const f of [0, 0.25, 0.5, 0.75, 1])
      parts.push(`<text x="${x(xMax * f)}" y="${top + PANEL + 16}" text-anchor="middle">${round(xMax * f)}</text>`);
    parts.push(`<text x="${LEFT + 4}" y="${top - 6}" fill="${series.color}">${esc(series.name)}</text>`);
    const d = series.points.map(([px, py], j) => `${j ? 'L' : 'M'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.5"/>`);
  });
  parts.push(`<text x="${WIDTH / 2}" y="${height - 8}" text-anchor="middle">${esc(chart.xLabel)}</text>`, '</svg>');
  return `${parts.join('\n')}\n`;
}

function niceCeiling(v: number): number {
  const step = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * step).find((c) => c >= v) ?? v;
}

function round(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1);
}
