import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import {
  availabilityReport,
  reportSvg,
  transition,
  DEFAULT_WATCH_OPTIONS,
  type AvailabilityReport,
  type WatchState,
} from '../../lib/internal';
import { ROOT } from './hosts';

/**
 * The availability picture in a real browser (the suite's Chromium): a month of a 1,000-device
 * fleet watched every 30 minutes (drops, long outages, a tenth flapping, a tenth added half-way),
 * rendered to SVG, opened as a file; then drawn onto a canvas in the page and read back pixel by
 * pixel: every device's row is drawn across the whole window (no white gap), the rows with
 * offline time show red (or orange, where outages are denser than pixels), the others neither, and the file stays under 200 kB.
 */
const ARTIFACTS = join(ROOT, 'test-artifacts');
const DAY = 24 * 60 * 60_000;
const STEP = 30 * 60_000;
const END = Date.parse('2026-12-01T00:00:00.000Z');
const DEVICES = 1000;
let browser: Browser;
let report: AvailabilityReport;
let svg: string;

/** Device i's state at step s: what the fleet does over the month. */
function online(i: number, step: number): boolean | undefined {
  if (i % 10 === 5 && step < 720) return undefined; // added half-way: unknown before
  if (i % 10 === 0) return step % 2 === 0; // flaps all month
  if (i % 50 === 1) return !(step >= 300 && step < 400); // two days down
  if (i % 7 === 0) return !(step % 96 === i % 96); // a short drop a couple of times a week
  return true;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  let state: WatchState | undefined;
  const ids = Array.from({ length: DEVICES }, (_, i) => `GID_fleet${i % 9}@@@device-${String(i).padStart(4, '0')}`);
  const options = { ...DEFAULT_WATCH_OPTIONS, flapping: { highPercent: 20, lowPercent: 5 } };
  const steps = (30 * DAY) / STEP;
  for (let step = 0; step < steps; step++) {
    const observations = ids.flatMap((clientId, i) => {
      const on = online(i, step);
      return on === undefined ? [] : [{ clientId, online: on }];
    });
    state = transition(state, 'post-cn-e2e', observations, END - 30 * DAY + step * STEP, options).state;
  }
  report = availabilityReport(state, { window: '30days', timelines: true }, END);
  svg = reportSvg(report);
  writeFileSync(join(ARTIFACTS, 'availability-1000.svg'), svg);
  const executablePath = execFileSync('bash', [join(ROOT, 'scripts/hosts.sh'), 'ensure_chromium'], {
    encoding: 'utf8',
  }).trim();
  browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 300_000);
afterAll(async () => browser?.close());

it('a month of 1,000 devices: under 200 kB, and every device row drawn across the window in Chromium', async () => {
  expect(report.devices).toHaveLength(DEVICES);
  expect(Buffer.byteLength(svg)).toBeLessThan(200 * 1024);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pathToFileURL(join(ARTIFACTS, 'availability-1000.svg')).href);
  const drawn = await page.evaluate(async () => {
    const root = document.documentElement;
    const band = root.querySelector('rect.timeline.up') as SVGRectElement;
    const x0 = Number(band.getAttribute('x'));
    const width = Number(band.getAttribute('width'));
    const rows = Array.from(root.querySelectorAll('text.dev tspan')).map((t) => ({
      name: t.textContent ?? '',
      y: Number(t.getAttribute('y')) - 4,
    }));
    const image = new Image();
    image.src =
      'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(new XMLSerializer().serializeToString(root))));
    await image.decode();
    const canvas = document.createElementNS('http://www.w3.org/1999/xhtml', 'canvas') as HTMLCanvasElement;
    canvas.width = image.width;
    canvas.height = image.height;
    const g = canvas.getContext('2d') as CanvasRenderingContext2D;
    g.drawImage(image, 0, 0);
    const pixels = g.getImageData(0, 0, canvas.width, canvas.height).data;
    return {
      tag: root.tagName,
      parseErrors: root.querySelectorAll('parsererror').length,
      rows: rows.map(({ name, y }) => {
        let white = 0;
        let red = 0;
        for (let x = x0 + 1; x < x0 + width - 1; x++) {
          const at = (y * canvas.width + x) * 4;
          const [r, gr, b] = [pixels[at], pixels[at + 1], pixels[at + 2]];
          if (r > 245 && gr > 245 && b > 245) white++;
          // Red (offline) or orange (offline and online in turn, faster than a pixel).
          if (r > 180 && b < 110 && (gr < 110 || (gr > 120 && gr < 170))) red++;
        }
        return { name, white, red };
      }),
    };
  });
  await page.screenshot({
    path: join(ARTIFACTS, 'availability-1000.png'),
    clip: { x: 0, y: 0, width: 1100, height: 900 },
  });
  expect(drawn.tag).toBe('svg');
  expect(drawn.parseErrors).toBe(0);
  expect(drawn.rows.map((r) => r.name)).toEqual(report.devices.map((d) => d.clientId));
  // Every row covered from the window's start to its end: up, down or unknown, never blank.
  expect(drawn.rows.filter((r) => r.white > 0)).toEqual([]);
  // Red where the device was offline, and only there.
  const offline = new Set(report.devices.filter((d) => d.downMs > 0).map((d) => d.clientId));
  expect(drawn.rows.filter((r) => r.red > 0).map((r) => r.name)).toEqual([...offline].sort());
  expect(offline.size).toBeGreaterThan(100);
  expect(errors).toEqual([]);
});
