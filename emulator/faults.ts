/**
 * Faults on demand: latency with jitter, error codes at a rate (optionally for one action or one
 * Client ID, or a fixed number of times), throttling above a QPS per API, HTML error pages,
 * connection resets and requests that never answer.
 */
export interface ErrorRule {
  code: string;
  /** Probability per request, 0..1 (default 1). */
  rate?: number;
  /** Only for this action. */
  action?: string;
  /** Only for requests about this Client ID (any of a batch). */
  clientId?: string;
  /** Stop after firing this many times. */
  times?: number;
}

export interface FaultConfig {
  latencyMs?: number;
  jitterMs?: number;
  errors?: ErrorRule[];
  /** Per API name, requests per second in any sliding one-second window; above it: SystemOverFlow. */
  throttleQps?: Record<string, number>;
  htmlErrorRate?: number;
  resetRate?: number;
  hangRate?: number;
  /**
   * The whole service stalls for this long from the moment the faults are set: every request
   * that arrives meanwhile is held, then answered normally when the stall ends.
   */
  stallForMs?: number;
  /** Seed for the fault dice, for reproducible runs. */
  seed?: number;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; code: string }
  | { kind: 'html' }
  | { kind: 'reset' }
  | { kind: 'hang' };

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private config: FaultConfig = {};
  private random: () => number = Math.random;
  private readonly fired = new Map<ErrorRule, number>();
  private readonly windows = new Map<string, number[]>();
  private stallUntil = 0;

  set(config: FaultConfig): void {
    this.stallUntil = config.stallForMs && config.stallForMs > 0 ? Date.now() + config.stallForMs : 0;
    this.config = { ...config, errors: config.errors ? config.errors.map((r) => ({ ...r })) : [] };
    this.random = config.seed === undefined ? Math.random : seededRandom(config.seed);
    this.fired.clear();
    this.windows.clear();
  }

  get(): FaultConfig {
    return this.config;
  }

  /** How long a request arriving now is held by a service-wide stall. */
  stallMs(now = Date.now()): number {
    return Math.max(0, this.stallUntil - now);
  }

  delayMs(): number {
    const base = this.config.latencyMs ?? 0;
    const jitter = this.config.jitterMs ?? 0;
    if (base <= 0 && jitter <= 0) return 0;
    return Math.max(0, base + (this.random() * 2 - 1) * jitter);
  }

  /** Counts the request in its API's window and says whether it goes over the limit. */
  throttled(action: string, now = Date.now()): boolean {
    const limit = this.config.throttleQps?.[action];
    if (!limit) return false;
    let window = this.windows.get(action);
    if (!window) this.windows.set(action, (window = []));
    while (window.length > 0 && window[0] <= now - 1000) window.shift();
    if (window.length >= limit) return true;
    window.push(now);
    return false;
  }

  decide(action: string, clientIds: readonly string[]): FaultDecision {
    const c = this.config;
    const rules = c.errors ?? [];
    // Targeted rules (one Client ID, or a fixed number of times) are checked first, each on its own.
    for (const rule of rules) {
      if (rule.clientId === undefined && rule.times === undefined) continue;
      if (rule.action && rule.action !== action) continue;
      if (rule.clientId && !clientIds.includes(rule.clientId)) continue;
      const count = this.fired.get(rule) ?? 0;
      if (rule.times !== undefined && count >= rule.times) continue;
      if (this.random() < (rule.rate ?? 1)) {
        this.fired.set(rule, count + 1);
        return { kind: 'error', code: rule.code };
      }
    }
    // Ambient faults share one roll, so that their rates add up exactly as configured
    // (10 % InternalError + 10 % SystemOverFlow = 20 % of requests fail).
    const roll = this.random();
    let edge = 0;
    const slices: Array<[number, FaultDecision]> = [
      [c.hangRate ?? 0, { kind: 'hang' }],
      [c.resetRate ?? 0, { kind: 'reset' }],
      [c.htmlErrorRate ?? 0, { kind: 'html' }],
    ];
    for (const rule of rules) {
      if (rule.clientId !== undefined || rule.times !== undefined) continue;
      if (rule.action && rule.action !== action) continue;
      slices.push([rule.rate ?? 1, { kind: 'error', code: rule.code }]);
    }
    for (const [rate, decision] of slices) {
      edge += rate;
      if (roll < edge) return decision;
    }
    return { kind: 'none' };
  }
}
