'use strict';
/** The demo's Node-RED flow: a fleet check every few seconds, routed online / offline, and a watch node. */
function demoFlow({ endpoint, accessKeyId, accessKeySecret, instanceId, clientIds, everySeconds = 5 }) {
  const tab = 'demo-tab';
  return [
    { id: tab, type: 'tab', label: 'Alibaba Cloud MQTT demo', info: 'Fleet check every few seconds (session node) and a watch node that reports each device going offline or coming back. The devices are simulated: they really connect to the emulator\'s MQTT broker and drop off on a schedule.' },
    { id: 'demo-cfg', type: 'alicloud-mqtt-config', name: 'Local emulator', region: 'cn-hangzhou', network: 'public', endpoint, credentials: { accessKeyId, accessKeySecret } },
    { id: 'demo-tick', type: 'inject', z: tab, name: `fleet, every ${everySeconds} s`, props: [{ p: 'payload' }], repeat: String(everySeconds), crontab: '', once: true, onceDelay: 1, topic: '', payload: JSON.stringify(clientIds), payloadType: 'json', x: 140, y: 100, wires: [['demo-check']] },
    { id: 'demo-check', type: 'alicloud-mqtt-session', z: tab, name: 'is it online?', config: 'demo-cfg', clientId: 'payload', clientIdType: 'msg', instanceId, instanceIdType: 'str', mode: 'exact', property: 'payload', routeErrors: true, outputs: 4, timeout: '', maxAttempts: '', maxRequestsPerSecond: '', concurrency: '', x: 360, y: 100, wires: [['demo-healthy'], ['demo-ticket'], ['demo-retry'], ['demo-fail']] },
    { id: 'demo-healthy', type: 'debug', z: tab, name: 'healthy', active: true, tosidebar: true, console: false, tostatus: true, complete: 'payload', targetType: 'msg', statusVal: 'payload.clientId', statusType: 'msg', x: 600, y: 40, wires: [] },
    { id: 'demo-ticket', type: 'function', z: tab, name: 'open ticket', func: "msg.payload = { ticket: 'OPEN', device: msg.payload.clientId, checkedAt: msg.payload.checkedAt };\nnode.status({ fill: 'red', shape: 'dot', text: msg.payload.device });\nreturn msg;", outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], x: 590, y: 90, wires: [['demo-ticket-out']] },
    { id: 'demo-ticket-out', type: 'debug', z: tab, name: 'open ticket branch', active: true, tosidebar: true, console: false, tostatus: false, complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', x: 800, y: 90, wires: [] },
    { id: 'demo-retry', type: 'delay', z: tab, name: 'retry in 5 s', pauseType: 'delay', timeout: '5', timeoutUnits: 'seconds', rate: '1', nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false, outputs: 1, x: 590, y: 140, wires: [['demo-retry-id']] },
    { id: 'demo-retry-id', type: 'change', z: tab, name: 'client id', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload.clientId', tot: 'msg' }], x: 780, y: 140, wires: [['demo-check']] },
    { id: 'demo-fail', type: 'debug', z: tab, name: 'fix the setup', active: true, tosidebar: true, console: false, tostatus: false, complete: 'alicloudError', targetType: 'msg', statusVal: '', statusType: 'auto', x: 600, y: 190, wires: [] },
    { id: 'demo-watch', type: 'alicloud-mqtt-watch', z: tab, name: 'fleet watch', config: 'demo-cfg', instanceId, clientIds: clientIds.join('\n'), mode: 'exact', interval: everySeconds, eventOffline: true, eventOnline: true, offlineMinutes: 0, onlineMinutes: 0, reportInitial: true, store: '', timeout: '', maxAttempts: '', maxRequestsPerSecond: '', x: 150, y: 280, wires: [['demo-went-offline'], ['demo-came-online']] },
    { id: 'demo-went-offline', type: 'debug', z: tab, name: 'went offline', active: true, tosidebar: true, console: false, tostatus: true, complete: 'payload', targetType: 'msg', statusVal: 'topic', statusType: 'msg', x: 380, y: 260, wires: [] },
    { id: 'demo-came-online', type: 'debug', z: tab, name: 'came online', active: true, tosidebar: true, console: false, tostatus: true, complete: 'payload', targetType: 'msg', statusVal: 'topic', statusType: 'msg', x: 380, y: 300, wires: [] },
    { id: 'demo-catch', type: 'catch', z: tab, name: '', scope: null, uncaught: false, x: 140, y: 360, wires: [['demo-errors']] },
    { id: 'demo-errors', type: 'debug', z: tab, name: 'errors', active: true, tosidebar: true, console: false, tostatus: false, complete: 'error', targetType: 'msg', statusVal: '', statusType: 'auto', x: 360, y: 360, wires: [] },
  ];
}

module.exports = { demoFlow };
