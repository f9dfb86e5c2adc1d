/**
 * The availability report as a picture: an SVG file any browser, mail client or chat shows, made
 * of text only (no browser, canvas or native module to render it). From top to bottom: the window
 * and the fleet's uptime, one bar per group with its uptime and reasons, the error budgets, then one
 * row per device: its name, its uptime, and its state timeline over the window (Grafana's
 * state-timeline: green up, red down, grey unknown).
 *
 * Kept small for large fleets (1,000 devices over 30 days under 200 kB): the labels of all rows are
 * one text element, up is one striped background, down and unknown one path each, every stretch a
 * short relative command; stretches closer than a pixel are drawn as one, and a row with more than
 * 60 stretches (a device flapping all month) merges its nearest ones until 60 are left.
 */
import type { AvailabilityReport, DeviceReport } from './report';
import { segmentsOf, type Segment } from './availability';

const WIDTH = 1100;
const LABEL_X = 8;
const UPTIME_X = 392;
const TIMELINE_X = 450;
const TIMELINE_W = WIDTH - TIMELINE_X - 16;
const ROW_H = 14;
const LABEL_CHARS = 52;
const COLORS = { up: '#3f9b4f', down: '#d64545', mixed: '#e8912d', unknown: '#c9ccd1', budgetBad: '#d64545' };

/** "2026-11-01T00:00:00.000Z" -> "2026-11-01 00:00 UTC". */
function when(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
}

const WINDOW_TITLES: Record<string, string> = {
  hour: 'the last hour',
  day: 'the last day',
  week: 'the last week',
  '30days': 'the last 30 days',
};

/** Text safe inside an SVG element or attribute, shortened to `max` characters (with an ellipsis). */
export function svgText(value: string, max = 200): string {
  // Characters XML 1.0 forbids (controls, lone surrogates) would make the file unreadable: dropped.
  const clean = [...value].filter((c) => /[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u.test(c));
  const short = clean.length > max ? clean.slice(0, max - 1).join('') + '…' : clean.join('');
  return short
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(value >= 99.995 || value === 0 ? 0 : 2)}%`;
}

function duration(ms: number | null): string {
  if (ms === null) return 'n/a';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} d`;
}

function reasonsText(reasons: Record<string, number>): string {
  const list = Object.entries(reasons).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return list.length === 0 ? 'no outages' : list.map(([r, n]) => `${r} ${n}`).join(', ');
}

/** Runs of a row closer than this many are drawn one by one; beyond, nearby ones are merged. */
export const MAX_RUNS_PER_ROW = 60;

/** A stretch at whole pixels; `mixed` when it stands for several (offline and online faster than a pixel shows). */
type Run = [start: number, end: number, mixed?: true];

/** The stretches of one state of a row at whole pixels; stretches that touch at pixel scale become one. */
function rowRuns(segments: readonly Segment[], state: Segment['state'], from: number, ms: number): Run[] {
  const runs: Run[] = [];
  for (const s of segments) {
    if (s.state !== state) continue;
    const a = Math.floor(((s.from - from) * TIMELINE_W) / ms);
    const b = Math.max(a + 1, Math.ceil(((s.to - from) * TIMELINE_W) / ms));
    const last = runs[runs.length - 1];
    // Two stretches of one state that meet at pixel scale had another state between them: mixed.
    if (last && a <= last[1]) runs[runs.length - 1] = [last[0], Math.max(last[1], b), true];
    else runs.push([a, b]);
  }
  return coarsen(runs, MAX_RUNS_PER_ROW);
}

/**
 * A row with more stretches than the picture can tell apart (a device flapping all month): those
 * closer than a gap that doubles until at most `max` are left are drawn as one, so that the picture
 * stays small; the row's figures stay exact.
 */
function coarsen(runs: Run[], max: number): Run[] {
  let gap = 1;
  let out = runs;
  while (out.length > max) {
    gap *= 2;
    const merged: Run[] = [];
    for (const run of out) {
      const last = merged[merged.length - 1];
      if (last && run[0] - last[1] <= gap) merged[merged.length - 1] = [last[0], Math.max(last[1], run[1]), true];
      else merged.push(run);
    }
    out = merged;
  }
  return out;
}

/** Runs as path commands: `M x y h w` for the first, `m dx 0 h w` after. */
function rowPath(runs: readonly Run[], y: number): string {
  let out = '';
  let x = 0;
  for (const [i, [a, b]] of runs.entries()) {
    out += i === 0 ? `M${TIMELINE_X + a} ${y}h${b - a}` : `m${a - x} 0h${b - a}`;
    x = b;
  }
  return out;
}

/** The report as an SVG document (UTF-8 text). Timelines come from the report's, or are computed from none (all unknown). */
export function reportSvg(report: AvailabilityReport): string {
  const from = Date.parse(report.window.from);
  const ms = Math.max(1, report.window.ms);
  const parts: string[] = [];
  let y = 28;
  parts.push(
    `<text x="${LABEL_X}" y="${y}" class="h">Availability over ${svgText(WINDOW_TITLES[report.window.name] ?? 'the window')}: ${svgText(when(report.window.from))} to ${svgText(when(report.window.to))}</text>`,
  );
  y += 20;
  const fleet = report.fleet;
  parts.push(
    `<text x="${LABEL_X}" y="${y}">Instance ${svgText(report.instanceId || 'n/a')}: ${fleet.devices} devices, uptime ${percent(fleet.availabilityPercent)}, ${fleet.outages} outages, MTTR ${duration(fleet.mttrMs)}, MTBF ${duration(fleet.mtbfMs)}, longest ${duration(fleet.longestOutageMs)}</text>`,
  );
  y += 16;
  parts.push(
    `<text x="${LABEL_X}" y="${y}" class="s">${svgText(`Reasons: ${reasonsText(fleet.reasons)}`, 180)}</text>`,
  );
  y += 26;
  parts.push(`<text x="${LABEL_X}" y="${y}" class="h2">Groups</text>`);
  for (const group of report.groups) {
    y += 18;
    // The group's device time: up, then down (at least a pixel when there was any), then unknown.
    const total = Math.max(1, group.windowMs);
    const upW = Math.round((TIMELINE_W * group.upMs) / total);
    const downW = group.downMs > 0 ? Math.max(1, Math.round((TIMELINE_W * group.downMs) / total)) : 0;
    parts.push(
      `<text x="${LABEL_X}" y="${y}">${svgText(group.group, LABEL_CHARS)} (${group.devices})</text>`,
      `<text x="${UPTIME_X}" y="${y}" class="n">${percent(group.availabilityPercent)}</text>`,
      `<rect x="${TIMELINE_X}" y="${y - 10}" width="${TIMELINE_W}" height="12" class="u"/>`,
      `<rect x="${TIMELINE_X}" y="${y - 10}" width="${upW}" height="12" class="g"/>`,
      `<rect x="${TIMELINE_X + upW}" y="${y - 10}" width="${Math.min(downW, TIMELINE_W - upW)}" height="12" class="d"/>`,
    );
    y += 14;
    parts.push(
      `<text x="${TIMELINE_X}" y="${y}" class="s">${svgText(`${group.outages} outages, MTTR ${duration(group.mttrMs)}; ${reasonsText(group.reasons)}`, 150)}</text>`,
    );
  }
  if (report.budgets.length > 0) {
    y += 26;
    parts.push(`<text x="${LABEL_X}" y="${y}" class="h2">Error budgets</text>`);
    for (const budget of report.budgets) {
      y += 18;
      const left = budget.budgetLeftPercent;
      parts.push(
        `<text x="${LABEL_X}" y="${y}" class="${left !== null && left < 0 ? 'bad' : ''}">${svgText(budget.group, LABEL_CHARS)}: target ${budget.targetPercent}%, ${left === null ? 'no data' : `${left.toFixed(1)}% of the budget left`}, burn rate ${budget.burnRate === null ? 'n/a' : budget.burnRate}</text>`,
      );
    }
  }
  y += 30;
  parts.push(
    `<text x="${LABEL_X}" y="${y}" class="h2">Devices</text>`,
    `<text x="${UPTIME_X}" y="${y}" class="n s">uptime</text>`,
    `<text x="${TIMELINE_X}" y="${y}" class="s">${svgText(when(report.window.from))}</text>`,
    `<text x="${TIMELINE_X + TIMELINE_W}" y="${y}" class="n s">${svgText(when(report.window.to))}</text>`,
  );
  const top = y + 6;
  const labels: string[] = [];
  const uptimes: string[] = [];
  // Up is the background of every row (one striped rectangle); down and unknown are drawn over it.
  const paths = { down: '', mixed: '', unknown: '' };
  report.devices.forEach((device: DeviceReport, i) => {
    const rowY = top + i * ROW_H + ROW_H / 2;
    labels.push(`<tspan x="${LABEL_X}" y="${rowY + 4}">${svgText(device.clientId, LABEL_CHARS)}</tspan>`);
    uptimes.push(`<tspan x="${UPTIME_X}" y="${rowY + 4}">${percent(device.availabilityPercent)}</tspan>`);
    const timeline = device.timeline ?? segmentsOf({ from: Infinity, outages: [] }, { from, to: from + ms }, from);
    const down = rowRuns(timeline, 'down', from, ms);
    paths.down += rowPath(
      down.filter((r) => !r[2]),
      rowY,
    );
    paths.mixed += rowPath(
      down.filter((r) => r[2]),
      rowY,
    );
    paths.unknown += rowPath(rowRuns(timeline, 'unknown', from, ms), rowY);
  });
  const height = top + report.devices.length * ROW_H + 46;
  const legendY = height - 26;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica,Arial,sans-serif" font-size="11">`,
    `<title>Availability report ${svgText(report.instanceId)} ${svgText(report.window.from)} to ${svgText(report.window.to)}</title>`,
    `<style>.h{font-size:16px;font-weight:bold}.h2{font-size:13px;font-weight:bold}.s{font-size:10px;fill:#555}.n{text-anchor:end}.bad{fill:${COLORS.budgetBad}}.g{fill:${COLORS.up}}.d{fill:${COLORS.down}}.u{fill:${COLORS.unknown}}path{stroke-width:${ROW_H - 4};fill:none}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    `<text class="dev">${labels.join('')}</text>`,
    `<text class="n">${uptimes.join('')}</text>`,
    `<defs><pattern id="rows" x="${TIMELINE_X}" y="${top}" width="${TIMELINE_W}" height="${ROW_H}" patternUnits="userSpaceOnUse"><rect y="2" width="${TIMELINE_W}" height="${ROW_H - 4}" fill="${COLORS.up}"/></pattern></defs>`,
    `<rect class="timeline up" x="${TIMELINE_X}" y="${top}" width="${TIMELINE_W}" height="${report.devices.length * ROW_H}" fill="url(#rows)"/>`,
    `<path class="timeline down" stroke="${COLORS.down}" d="${paths.down}"/>`,
    `<path class="timeline mixed" stroke="${COLORS.mixed}" d="${paths.mixed}"/>`,
    `<path class="timeline unknown" stroke="${COLORS.unknown}" d="${paths.unknown}"/>`,
    `<text x="${LABEL_X}" y="${legendY}" class="s">Green: online. Red: offline. Orange: offline and online in turn, faster than the picture can show. Grey: unknown (not yet watched).</text>`,
    `<text x="${LABEL_X}" y="${legendY + 12}" class="s">${svgText(report.detection.slice(0, report.detection.indexOf('. ') + 1), 200)}</text>`,
    `</svg>`,
  ].join('\n');
}
