/** `process.env` as the core's environment (./environment.ts): installed by the Node entries. */
import { installEnvironment } from './environment';

export function installNodeEnvironment(): void {
  installEnvironment(() => process.env);
}
