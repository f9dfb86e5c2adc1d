/**
 * STS temporary credentials as the emulator issues and checks them. A token is opaque to
 * clients; inside it names the temporary AccessKey it belongs to and its expiry, sealed with an
 * HMAC so that a changed or made-up token is "Malformed".
 */
import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from './signature';

export interface StsCredential {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expiration: string;
}

export type TokenCheck =
  | { ok: true }
  | {
      ok: false;
      code:
        | 'InvalidSecurityToken.Malformed'
        | 'InvalidSecurityToken.Expired'
        | 'InvalidSecurityToken.MismatchWithAccessKey';
    };

export class StsAuthority {
  private readonly sealKey = randomBytes(32);
  /** Temporary AccessKey id -> secret. */
  readonly keys = new Map<string, string>();
  /** Tests: every token issued from now on lives this long, whatever was asked (undefined: as asked). */
  lifetimeMs: number | undefined;
  /** Every temporary secret and token issued, for the tests' "no secret anywhere" checks. */
  readonly issuedSecrets: string[] = [];

  issue(durationMs: number, now = Date.now()): StsCredential {
    const accessKeyId = `STS.${randomBytes(12).toString('hex')}`;
    const accessKeySecret = randomBytes(20).toString('base64url');
    // STS gives Expiration in whole seconds ("2015-04-09T11:52:19Z"): the token ends on the second it
    // names, rounded up, except for a token asked to be born expired (tests), which stays expired.
    const round = durationMs > 0 ? Math.ceil : Math.floor;
    const exp = round((now + durationMs) / 1000) * 1000;
    const payload = Buffer.from(JSON.stringify({ ak: accessKeyId, exp })).toString('base64url');
    const securityToken = `CAIS${payload}.${this.seal(payload)}`;
    this.keys.set(accessKeyId, accessKeySecret);
    this.issuedSecrets.push(accessKeySecret, securityToken);
    return {
      accessKeyId,
      accessKeySecret,
      securityToken,
      expiration: new Date(exp).toISOString().replace('.000Z', 'Z'),
    };
  }

  check(token: string, accessKeyId: string, now = Date.now()): TokenCheck {
    const m = /^CAIS([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
    if (!m || !safeEqual(this.seal(m[1]), m[2])) return { ok: false, code: 'InvalidSecurityToken.Malformed' };
    let claims: { ak?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { ok: false, code: 'InvalidSecurityToken.Malformed' };
    }
    if (claims.ak !== accessKeyId) return { ok: false, code: 'InvalidSecurityToken.MismatchWithAccessKey' };
    if (typeof claims.exp !== 'number' || claims.exp <= now) return { ok: false, code: 'InvalidSecurityToken.Expired' };
    return { ok: true };
  }

  private seal(payload: string): string {
    return createHmac('sha256', this.sealKey).update(payload).digest('base64url');
  }
}
