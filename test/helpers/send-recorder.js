'use strict';
/**
 * A preload (`node --require .../send-recorder.js`) for host processes we cannot reach into, such
 * as n8n's queue-mode workers: it records, inside that process, every moment the package writes a
 * request to its socket and every rate token it grants (the package's diagnostics channels,
 * lib/send/send-channels.ts; with ALICLOUD_MQTT_SEND_SOURCE=http, the moment Node's http creates
 * an API request instead), and appends them to `$ALICLOUD_MQTT_SEND_LOG.<pid>`, one line each:
 *   send <epoch ms> <api> <grant age ms>
 *   grant <epoch ms> <api>
 * Plain JavaScript on purpose: the host loads it before anything of ours is compiled or found.
 */
const { subscribe } = require('node:diagnostics_channel');
const { appendFileSync } = require('node:fs');

const target = process.env.ALICLOUD_MQTT_SEND_LOG;
if (target) {
  const file = `${target}.${process.pid}`;
  let lines = [];
  const epoch = (at) => (performance.timeOrigin + at).toFixed(1);
  const flush = () => {
    if (lines.length === 0) return;
    const text = lines.join('');
    lines = [];
    appendFileSync(file, text);
  };
  if (process.env.ALICLOUD_MQTT_SEND_SOURCE === 'http') {
    // The verifiable n8n package publishes no channel of its own (it runs on n8n's HTTP helper, with
    // no Node module but crypto): the moment it hands a request over is when n8n's HTTP library
    // creates it (Node's own channel), an API request being one with an x-acs-action header.
    subscribe('http.client.request.start', ({ request }) => {
      const action = request.getHeader('x-acs-action');
      if (typeof action === 'string') lines.push(`send ${epoch(performance.now())} ${action} 0.0\n`);
    });
  } else {
    subscribe('alicloud-mqtt:request-send', (m) =>
      lines.push(`send ${epoch(m.at)} ${m.api} ${(m.grantAgeMs ?? 0).toFixed(1)}\n`),
    );
    subscribe('alicloud-mqtt:rate-grant', (m) => lines.push(`grant ${epoch(m.at)} ${m.api}\n`));
  }
  setInterval(flush, 250).unref();
  process.on('exit', flush);
}
