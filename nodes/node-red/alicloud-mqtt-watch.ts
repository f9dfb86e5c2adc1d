import { migrateQueryOptions } from './migrations';
import { FleetWatchNode, type WatchDef } from './handlers/watch';
import type { Node, NodeAPI } from './types';

/** `alicloud-mqtt-watch`: a fleet watch by polling or push (handlers/watch.ts says what it does). */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType('alicloud-mqtt-watch', function AlicloudMqttWatch(this: Node, def: WatchDef) {
    RED.nodes.createNode(this, def);
    const watch = new FleetWatchNode(RED, this, migrateQueryOptions(def));
    this.on('input', (msg, send, done) => watch.input(msg, send, done));
    this.on('close', (_removed: boolean, done: () => void) => void watch.close().then(done));
    watch.start();
  });
};
