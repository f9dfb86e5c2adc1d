'use strict';
/**
 * Devices that really connect to the emulator's MQTT broker, drop off and come back on a
 * schedule: each one stays online for a while, disconnects (cleanly or by losing its socket),
 * and reconnects after a pause.
 */
const mqtt = require('mqtt');

/** `login(clientId)` gives the user name and password of a device when the broker checks logins. */
function startSimulatedDevices({
  mqttUrl,
  clientIds,
  login = () => ({}),
  onlineMs = [20_000, 45_000],
  offlineMs = [12_000, 25_000],
  onEvent = () => {},
  /** The last device never connects (a device that was never set up). */
  lastNeverConnects = true,
}) {
  const timers = new Set();
  const clients = new Map();
  let stopped = false;
  const between = ([lo, hi]) => lo + Math.floor(Math.random() * (hi - lo));
  const later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };

  function connect(clientId, index) {
    const client = mqtt.connect(mqttUrl, { clientId, reconnectPeriod: 0, keepalive: 30, ...login(clientId) });
    clients.set(clientId, client);
    client.once('connect', () => {
      onEvent(clientId, 'online');
      later(between(onlineMs), () => {
        // Every other drop is a lost socket rather than a clean DISCONNECT, as in the field.
        if (index % 2 === 0) client.end(false);
        else client.stream.destroy();
        onEvent(clientId, 'offline');
        later(between(offlineMs), () => connect(clientId, index + 1));
      });
    });
    client.on('error', () => {});
  }

  // Staggered start, so the fleet does not flap in step.
  clientIds.forEach((id, i) =>
    lastNeverConnects && i === clientIds.length - 1
      ? onEvent(id, 'never connects')
      : later(300 * i, () => connect(id, i)),
  );

  return {
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const c of clients.values()) c.end(true);
    },
  };
}

/**
 * Devices behind one gateway: they connect together, and when the gateway fails they all lose
 * their sockets at the same moment (a storm), then come back together `downMs` later.
 */
function startGateway({
  mqttUrl,
  clientIds,
  login = () => ({}),
  upMs = 60_000,
  downMs = 30_000,
  failures = Infinity,
  onEvent = () => {},
}) {
  const clients = new Map();
  let timer;
  let stopped = false;
  let failed = 0;
  const up = () => {
    for (const clientId of clientIds) {
      const client = mqtt.connect(mqttUrl, { clientId, reconnectPeriod: 0, keepalive: 30, ...login(clientId) });
      client.on('error', () => {});
      clients.set(clientId, client);
    }
    onEvent(`${clientIds.length} devices behind the gateway`, 'online');
    // After its last failure (a test asks for one) the gateway stays up.
    if (failed < failures) timer = setTimeout(down, upMs);
  };
  const down = () => {
    if (stopped) return;
    failed++;
    for (const client of clients.values()) client.stream.destroy();
    onEvent(`${clientIds.length} devices behind the gateway`, 'offline at once (gateway failure)');
    timer = setTimeout(() => !stopped && up(), downMs);
  };
  up();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const c of clients.values()) c.end(true);
    },
  };
}

module.exports = { startSimulatedDevices, startGateway };
