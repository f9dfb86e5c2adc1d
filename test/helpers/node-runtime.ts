import { installNodeRuntime } from '../../lib/client/node-runtime';

// The test runner is a Node host: Node's timers, environment and http, as the package's Node entries install them.
installNodeRuntime();
