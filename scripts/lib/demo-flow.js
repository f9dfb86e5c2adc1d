'use strict';
/**
 * The demo's Node-RED flow, in three rows:
 * - a fleet check every few seconds, routed online / offline (the session node): the two debug
 *   nodes show the last device on their status, not in the sidebar (a message per device every
 *   5 s would bury everything else there);
 * - the watch node: a ticket OPENED once when a device goes offline (why, since when) and CLOSED
 *   once when it is back, one incident instead of a storm, a fleet summary; tickets and incidents
 *   go to the sidebar (debug nodes) and, as node.log lines, to the demo's terminal (node.warn
 *   would put each line in the sidebar a second time);
 * - with a Cloud SDK endpoint, a push watch of every device of the demo's groups (GID_demo and
 *   GID_x, so that a client the user connects appears too): its events are PUSH lines.
 * The config node has the examples' id, so an example imported into the demo reuses it.
 */
const { EMULATOR_CONFIG_ID } = require('./emulator-config');

/** Vertical distance between nodes that show a status: the status text sits under the node. */
const ROW = 80;

function demoFlow({
  endpoint,
  accessKeyId,
  accessKeySecret,
  instanceId,
  clientIds,
  watchIds = clientIds,
  everySeconds = 5,
  pushEndpoint,
  pushGroups = ['GID_demo', 'GID_x'],
}) {
  const tab = 'demo-tab';
  const debug = (id, name, x, y, { sidebar = true, status, complete = 'payload' } = {}) => ({
    id,
    type: 'debug',
    z: tab,
    name,
    active: true,
    tosidebar: sidebar,
    console: false,
    tostatus: Boolean(status),
    complete,
    targetType: 'msg',
    statusVal: status || '',
    statusType: status ? 'msg' : 'auto',
    x,
    y,
    wires: [],
  });
  const fn = (id, name, func, x, y, wires) => ({
    id,
    type: 'function',
    z: tab,
    name,
    func,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    x,
    y,
    wires,
  });
  return [
    {
      id: tab,
      type: 'tab',
      label: 'Alibaba Cloud MQTT demo',
      info:
        "Top row: a fleet check every few seconds (mqtt session), each device routed to online or offline (the debug nodes' status shows the last one).\n\n" +
        "Middle row: mqtt watch opens a ticket once when a device goes offline (why, since when) and closes it once when it is back; the gateway's twelve devices make one incident, not twelve tickets; the loose contact (valve-09) is held back as flapping. Tickets, incidents and flapping show in the debug sidebar and in the terminal; GET /availability gives the last hour as a picture.\n\n" +
        'Bottom row: the push watch hears every device of the groups GID_demo and GID_x from the service itself (the Cloud SDK): connect your own MQTT client as GID_x@@@anything and it appears as a PUSH line in the terminal.\n\n' +
        "The devices are simulated: they really connect to the emulator's MQTT broker and drop off on a schedule.",
    },
    {
      id: EMULATOR_CONFIG_ID,
      type: 'alicloud-mqtt-config',
      name: 'Local emulator',
      authentication: 'accessKey',
      region: 'cn-hangzhou',
      network: 'public',
      endpoint,
      credentials: { accessKeyId, accessKeySecret },
    },
    // Row 1: the check, routed.
    {
      id: 'demo-tick',
      type: 'inject',
      z: tab,
      name: `fleet, every ${everySeconds} s`,
      props: [{ p: 'payload' }],
      repeat: String(everySeconds),
      crontab: '',
      once: true,
      onceDelay: 1,
      topic: '',
      payload: JSON.stringify(clientIds),
      payloadType: 'json',
      x: 140,
      y: 80,
      wires: [['demo-check']],
    },
    {
      id: 'demo-check',
      type: 'alicloud-mqtt-session',
      z: tab,
      name: 'is it online?',
      config: EMULATOR_CONFIG_ID,
      clientId: 'payload',
      clientIdType: 'msg',
      instanceId,
      instanceIdType: 'str',
      mode: 'exact',
      property: 'payload',
      offlineDetails: true,
      routeErrors: true,
      outputs: 4,
      timeout: '',
      maxAttempts: '',
      maxRequestsPerSecond: '',
      concurrency: '',
      x: 360,
      y: 80 + ROW,
      wires: [['demo-online-now'], ['demo-offline-now'], ['demo-retry'], ['demo-fail']],
    },
    debug('demo-online-now', 'online now', 620, 40, { sidebar: false, status: 'payload.clientId' }),
    debug('demo-offline-now', 'offline now', 620, 40 + ROW, { sidebar: false, status: 'payload.clientId' }),
    {
      id: 'demo-retry',
      type: 'delay',
      z: tab,
      name: 'retry in 5 s',
      pauseType: 'delay',
      timeout: '5',
      timeoutUnits: 'seconds',
      rate: '1',
      nbRateUnits: '1',
      rateUnits: 'second',
      randomFirst: '1',
      randomLast: '5',
      randomUnits: 'seconds',
      drop: false,
      allowrate: false,
      outputs: 1,
      x: 610,
      y: 40 + 2 * ROW,
      wires: [['demo-retry-id']],
    },
    {
      id: 'demo-retry-id',
      type: 'change',
      z: tab,
      name: 'client id',
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload.clientId', tot: 'msg' }],
      x: 800,
      y: 40 + 2 * ROW,
      wires: [['demo-check']],
    },
    debug('demo-fail', 'fix the setup', 620, 40 + 3 * ROW, { complete: 'alicloudError' }),
    // Row 2: one ticket per outage, one incident per storm.
    {
      id: 'demo-watch',
      type: 'alicloud-mqtt-watch',
      z: tab,
      name: 'fleet watch',
      config: EMULATOR_CONFIG_ID,
      instanceId,
      clientIds: watchIds.join('\n'),
      mode: 'exact',
      interval: everySeconds,
      offlineDetails: true,
      stormDevices: 5,
      stormPercent: 0,
      resolvePercent: 80,
      summary: true,
      eventOffline: true,
      eventOnline: true,
      offlineMinutes: 0,
      onlineMinutes: 0,
      reportInitial: true,
      // Fleet health: the loose contact is held back as flapping, each outage is an alarm, and the
      // demo group's availability target is 99.5 % (the budget alert fires: the demo fleet is a bad one).
      flapping: true,
      alarms: true,
      alarmSeverity: 'minor',
      criticalDevices: 'GID_demo@@@pump-01',
      budgetTargets: '99.5',
      source: 'poll',
      devices: 'list',
      store: '',
      timeout: '',
      maxAttempts: '',
      maxRequestsPerSecond: '',
      x: 150,
      y: 440,
      wires: [['demo-open-ticket'], ['demo-close-ticket'], ['demo-incident'], ['demo-summary', 'demo-report-only']],
    },
    fn(
      'demo-open-ticket',
      'open ticket (why, since when)',
      // The ticket number is kept in the flow's context until the device is back.
      "const p = msg.payload;\nconst open = flow.get('openTickets') || {};\nif (open[p.clientId]) return null; // one ticket per outage\nconst ticket = `T-${(flow.get('ticketSeq') || 0) + 1}`;\nflow.set('ticketSeq', (flow.get('ticketSeq') || 0) + 1);\nopen[p.clientId] = { ticket, openedAt: new Date().toISOString() };\nflow.set('openTickets', open);\nnode.log(`TICKET ${p.clientId} offline since ${p.offlineSince || p.since}: ${p.lastDisconnectCode || 'unknown'} (${p.lastDisconnectReason || 'no trace in the last day'})`);\nnode.status({ fill: 'red', shape: 'dot', text: `${Object.keys(open).length} open` });\nmsg.payload = { ticket, action: 'OPEN', device: p.clientId, reason: p.lastDisconnectCode || 'unknown', reasonText: p.lastDisconnectReason, offlineSince: p.offlineSince || p.since };\nreturn msg;",
      440,
      400,
      [['demo-tickets']],
    ),
    fn(
      'demo-close-ticket',
      'close ticket',
      "const p = msg.payload;\nconst open = flow.get('openTickets') || {};\nconst t = open[p.clientId];\nif (!t) return null; // no ticket open for it (a device of an incident, or back before the first check)\ndelete open[p.clientId];\nflow.set('openTickets', open);\nnode.log(`TICKET CLOSED ${t.ticket} ${p.clientId}: back online`);\nnode.status({ fill: 'green', shape: 'dot', text: `${Object.keys(open).length} open` });\nmsg.payload = { ticket: t.ticket, action: 'CLOSED', device: p.clientId, openedAt: t.openedAt, closedAt: new Date().toISOString() };\nreturn msg;",
      440,
      400 + ROW,
      [['demo-tickets']],
    ),
    debug('demo-tickets', 'tickets', 700, 400, { status: 'payload.action' }),
    fn(
      'demo-incident',
      'one incident, not a storm',
      "const p = msg.payload;\nif (p.event === 'flapping') {\n  node.log(`FLAPPING ${p.clientId} held back: ${p.stateChanges} changes in its last 21 checks (${p.percentStateChange} %); no ticket per outage until it settles`);\n  return msg;\n}\nif (p.event === 'flapping_stopped') {\n  node.log(`FLAPPING STOPPED ${p.clientId} settled ${p.online ? 'online' : 'offline'} after ${Math.round(p.flappingForMs / 1000)} s`);\n  if (p.online) {\n    const open = flow.get('openTickets') || {};\n    const t = open[p.clientId];\n    if (t) { delete open[p.clientId]; flow.set('openTickets', open); node.log(`TICKET CLOSED ${t.ticket} ${p.clientId}: settled online`); }\n  }\n  return msg;\n}\nif (p.event === 'budget_burn' || p.event === 'budget_recovered') {\n  node.log(`BUDGET ${p.group} ${p.event === 'budget_burn' ? `burning at ${p.burnRate}x the rate its ${p.budget.targetPercent} % target allows (alert at ${p.burnRateAlert}x)` : 'no longer burning'}; ${p.budget.budgetLeftPercent < 0 ? 'its budget is spent' : `${p.budget.budgetLeftPercent} % of its budget left`}`);\n  return msg;\n}\nif (p.event === 'alarm') return msg;\nif (p.event === 'incident') {\n  const reasons = {};\n  for (const d of p.devices) reasons[d.lastDisconnectCode || 'unknown'] = (reasons[d.lastDisconnectCode || 'unknown'] || 0) + 1;\n  node.log(`INCIDENT ${p.incidentId}: ${p.offlineCount} of ${p.watchedCount} devices offline at once (${JSON.stringify(reasons)})`);\n} else {\n  node.log(`INCIDENT RESOLVED ${p.incidentId} after ${Math.round(p.durationMs / 1000)} s: ${p.backOnline.length} back, ${p.stillOffline.length} still offline`);\n}\nreturn msg;",
      440,
      400 + 2 * ROW,
      [['demo-incident-out']],
    ),
    debug('demo-incident-out', 'incident, flapping, alarm, budget', 700, 400 + 2 * ROW, { status: 'payload.event' }),
    // The availability report as a picture: GET /availability asks the watch for the last hour.
    {
      id: 'demo-report-in',
      type: 'http in',
      z: tab,
      name: '',
      url: '/availability',
      method: 'get',
      upload: false,
      x: 140,
      y: 920,
      wires: [['demo-report-ask']],
    },
    {
      id: 'demo-report-ask',
      type: 'change',
      z: tab,
      name: 'report of the last hour',
      rules: [
        { t: 'set', p: 'action', pt: 'msg', to: 'report', tot: 'str' },
        { t: 'set', p: 'payload', pt: 'msg', to: '{"window":"hour"}', tot: 'json' },
      ],
      x: 360,
      y: 920,
      wires: [['demo-watch']],
    },
    {
      id: 'demo-report-only',
      type: 'switch',
      z: tab,
      name: 'the report',
      property: 'topic',
      propertyType: 'msg',
      rules: [{ t: 'eq', v: 'report', vt: 'str' }],
      checkall: 'true',
      repair: false,
      outputs: 1,
      x: 420,
      y: 400 + 4 * ROW,
      wires: [['demo-report-out']],
    },
    {
      id: 'demo-report-out',
      type: 'http response',
      z: tab,
      name: 'the SVG',
      statusCode: '',
      headers: { 'content-type': 'image/svg+xml; charset=utf-8' },
      x: 620,
      y: 400 + 4 * ROW,
      wires: [],
    },
    debug('demo-summary', 'fleet summary', 420, 400 + 3 * ROW, { sidebar: false, status: 'payload.online' }),
    {
      id: 'demo-catch',
      type: 'catch',
      z: tab,
      name: '',
      scope: null,
      uncaught: false,
      x: 140,
      y: 840,
      wires: [['demo-errors']],
    },
    debug('demo-errors', 'errors', 360, 840, { complete: 'error' }),
    ...(pushEndpoint ? pushWatch({ tab, instanceId, pushEndpoint, pushGroups, fn, debug }) : []),
  ];
}

/** Every device of the groups, watched by push (the service's status notifications), polled every 5 minutes as a net. */
function pushWatch({ tab, instanceId, pushEndpoint, pushGroups, fn, debug }) {
  return [
    {
      id: 'demo-push-watch',
      type: 'alicloud-mqtt-watch',
      z: tab,
      name: 'push watch (every device of the groups)',
      config: EMULATOR_CONFIG_ID,
      instanceId,
      clientIds: '',
      mode: 'exact',
      interval: 300,
      source: 'push',
      devices: 'group',
      groupIds: pushGroups.join('\n'),
      pushEndpoint,
      pushConfirm: true,
      // Pushed presence is held back alike: the loose contact's drops stop making PUSH lines.
      flapping: true,
      eventOffline: true,
      eventOnline: true,
      offlineMinutes: 0,
      onlineMinutes: 0,
      store: '',
      x: 200,
      y: 740,
      wires: [['demo-push-line'], ['demo-push-line'], [], []],
    },
    fn(
      'demo-push-line',
      'push event',
      // The demo's terminal adds how long after the device's disconnect this arrived.
      "const p = msg.payload;\nnode.log(`PUSH ${p.clientId} ${p.event === 'offline' ? 'went offline' : 'came online'}`);\nreturn msg;",
      480,
      740,
      [['demo-push-last']],
    ),
    debug('demo-push-last', 'last pushed', 720, 740, { sidebar: false, status: 'payload.clientId' }),
  ];
}

module.exports = { demoFlow };
