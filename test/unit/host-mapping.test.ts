/**
 * The one mapping of node settings to core options (lib/host/mapping.ts): n8n gives numbers,
 * Node-RED gives the editor's strings; the same settings give the same options in both.
 */
import fc from 'fast-check';
import { stormOptionsFrom, watchOptionsFrom } from '../../lib/host/mapping';
import { DEFAULT_RESOLVE_PERCENT } from '../../lib/internal';

const setting = fc.oneof(fc.integer({ min: -50, max: 500 }), fc.double({ min: -10, max: 200, noNaN: true }));

describe('host mapping', () => {
  it('a number and its text (n8n and Node-RED) give the same watch options, within bounds', () => {
    fc.assert(
      fc.property(
        setting,
        setting,
        setting,
        setting,
        setting,
        fc.boolean(),
        fc.boolean(),
        (offline, online, devices, percent, resolve, a, b) => {
          const n8n = watchOptionsFrom({
            offline: a,
            online: b,
            offlineForMinutes: offline,
            onlineForMinutes: online,
            reportInitialOffline: true,
            storm: { minDevices: devices, minPercent: percent, resolvePercent: resolve },
          });
          const nodeRed = watchOptionsFrom({
            offline: a,
            online: b,
            offlineForMinutes: String(offline),
            onlineForMinutes: String(online),
            reportInitialOffline: true,
            storm: { minDevices: String(devices), minPercent: String(percent), resolvePercent: String(resolve) },
          });
          expect(nodeRed).toEqual(n8n);
          expect(n8n.offlineAfterMs).toBeGreaterThanOrEqual(0);
          expect(n8n.onlineAfterMs).toBeGreaterThanOrEqual(0);
          if (n8n.storm) {
            expect(n8n.storm.minPercent).toBeGreaterThanOrEqual(0);
            expect(n8n.storm.minPercent).toBeLessThanOrEqual(100);
            expect(n8n.storm.resolvePercent).toBeGreaterThanOrEqual(1);
            expect(n8n.storm.resolvePercent).toBeLessThanOrEqual(100);
          }
        },
      ),
      { seed: 20261202, numRuns: 300 },
    );
  });

  it('storm protection is off while neither threshold is set, and resolves at the default percent when unset', () => {
    expect(stormOptionsFrom({})).toBeUndefined();
    expect(stormOptionsFrom({ minDevices: '', minPercent: '' })).toBeUndefined();
    expect(stormOptionsFrom({ minDevices: 'many' })).toBeUndefined();
    expect(stormOptionsFrom({ minDevices: 5 })).toEqual({
      minDevices: 5,
      minPercent: 0,
      resolvePercent: DEFAULT_RESOLVE_PERCENT,
    });
    expect(stormOptionsFrom({ minPercent: '150', resolvePercent: '0' })).toEqual({
      minDevices: 0,
      minPercent: 100,
      resolvePercent: DEFAULT_RESOLVE_PERCENT,
    });
  });
});
