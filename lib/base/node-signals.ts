/**
 * Node's own knob for an AbortSignal that many requests listen to at once (a node's or an
 * execution's, each request adding its listener): without it Node warns of a leak at 11. Node only:
 * what the Node-RED nodes use, through lib/internal.
 */
import { setMaxListeners } from 'node:events';

export function allowManyListeners(signal: AbortSignal): void {
  setMaxListeners(0, signal);
}
