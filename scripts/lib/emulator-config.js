'use strict';
/**
 * The one config node of the demo and of every Node-RED example: the same id everywhere, so that an
 * example imported into the demo (or after another example) reuses the account already there
 * instead of bringing a copy without its secret. Its settings are the demo emulator's defaults
 * (docs/emulator.md, "The demo's emulator"); a unit test holds the examples to them.
 */
const EMULATOR_CONFIG_ID = 'alicloud-mqtt-emulator';

/** The demo's fixed ports, and the environment variables that move them. */
const DEMO_PORTS = {
  api: { env: 'DEMO_API_PORT', port: 8090, what: 'the OnsMqtt API emulator' },
  mqtt: { env: 'DEMO_MQTT_PORT', port: 1883, what: 'the MQTT broker' },
  amqp: { env: 'DEMO_AMQP_PORT', port: 5672, what: 'the Cloud SDK endpoint (push presence)' },
  nodeRed: { env: 'DEMO_NODE_RED_PORT', port: 1880, what: 'the Node-RED editor' },
};

module.exports = { EMULATOR_CONFIG_ID, DEMO_PORTS };
