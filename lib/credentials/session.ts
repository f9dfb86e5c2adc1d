/**
 * One set of temporary credentials shared by every client of the same identity in the process.
 *
 * - Single flight: however many requests need credentials at once, one fetch (one AssumeRole)
 *   runs; the others wait for it. STS throttles, and a token is good for everyone until it ends.
 * - Refresh ahead: from three quarters of a token's life (at most 15 minutes before its end, as
 *   Alibaba's own library does), the next request starts a refresh in the background and keeps
 *   using the valid token meanwhile; nobody waits for STS while a token is still good.
 * - A failed refresh keeps the valid token until it expires, and waits (5 s, doubling to 60 s)
 *   before trying again, so an STS outage is not hammered once per request. Once the token has
 *   expired, requests fail with the refresh's error, which says what went wrong.
 */
export interface TemporaryCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** Epoch ms; undefined for credentials that do not expire. */
  expiresAt?: number;
}

export type CredentialFetcher = () => Promise<TemporaryCredentials>;

const MAX_REFRESH_AHEAD_MS = 15 * 60_000;
const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;

export class RefreshingCredentials {
  private current: (TemporaryCredentials & { obtainedAt: number }) | undefined;
  private inflight: Promise<TemporaryCredentials> | undefined;
  private lastError: Error | undefined;
  private retryAfter = 0;
  private backoffMs = 0;
  /** Fetches done so far (one per token lifetime when all is well). */
  fetches = 0;

  constructor(
    private readonly fetch: CredentialFetcher,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<TemporaryCredentials> {
    const now = this.now();
    const current = this.current;
    if (current && (current.expiresAt === undefined || now < current.expiresAt)) {
      if (current.expiresAt !== undefined && now >= this.refreshAt(current) && now >= this.retryAfter) {
        // Still valid: refresh behind the scenes; a failure is remembered, not thrown.
        this.refresh().catch(() => undefined);
      }
      return current;
    }
    if (this.inflight) return this.inflight;
    if (now < this.retryAfter && this.lastError !== undefined) throw this.lastError;
    return this.refresh();
  }

  /** The service refused these credentials as expired (clock skew): the next get() fetches new ones. */
  expire(used: { accessKeyId: string }): void {
    if (this.current?.accessKeyId === used.accessKeyId) {
      this.current = undefined;
      this.retryAfter = 0;
    }
  }

  /** The secrets held now, so that an error text can be scrubbed of them. */
  secrets(): string[] {
    return this.current ? [this.current.accessKeySecret, this.current.securityToken ?? ''].filter((s) => s !== '') : [];
  }

  private refreshAt(c: { obtainedAt: number; expiresAt?: number }): number {
    const life = (c.expiresAt ?? Infinity) - c.obtainedAt;
    return (c.expiresAt ?? Infinity) - Math.min(MAX_REFRESH_AHEAD_MS, life / 4);
  }

  private refresh(): Promise<TemporaryCredentials> {
    this.inflight ??= (async () => {
      try {
        this.fetches++;
        const fresh = await this.fetch();
        this.current = { ...fresh, obtainedAt: this.now() };
        this.lastError = undefined;
        this.backoffMs = 0;
        this.retryAfter = 0;
        return fresh;
      } catch (error) {
        this.lastError = error instanceof Error ? error : new Error(String(error));
        this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs ? this.backoffMs * 2 : FIRST_BACKOFF_MS);
        this.retryAfter = this.now() + this.backoffMs;
        throw error;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}
