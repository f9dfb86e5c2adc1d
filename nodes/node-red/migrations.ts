/**
 * Settings saved by older versions, read under today's names: one place for every rename, each
 * with a test (test/unit/node-red-migrations.test.ts). The editor applies the same rules when it
 * opens a node (resources/alicloud-mqtt-editor.js, `migrate`), so what it shows is what runs.
 */
import type { SavedWatch } from '../../lib/internal';

/** Node options of the query nodes, as saved by any version. */
export interface SavedQueryOptions {
  maxAttempts?: unknown;
  maxRequestsPerSecond?: unknown;
  /** 0.1's name of maxAttempts. */
  attempts?: unknown;
  /** 0.1's name of maxRequestsPerSecond. */
  maxQps?: unknown;
}

const blank = (value: unknown) => value === undefined || value === null || value === '';

/** 0.1 named the options `attempts` and `maxQps`: a node saved with them keeps its values under today's names. */
export function migrateQueryOptions<D extends SavedQueryOptions>(def: D): D {
  const migrated = { ...def };
  if (blank(migrated.maxAttempts) && !blank(def.attempts)) migrated.maxAttempts = def.attempts;
  if (blank(migrated.maxRequestsPerSecond) && !blank(def.maxQps)) migrated.maxRequestsPerSecond = def.maxQps;
  return migrated;
}

/**
 * The Authentication of a config node. 0.1 config nodes had no Authentication choice: there, a
 * stored token meant STS. A node saved with an explicit choice ignores a token left over from an
 * earlier choice.
 */
export function migrateAuthentication(authentication: unknown, hasSecurityToken: boolean): string {
  if (typeof authentication === 'string' && authentication) return authentication;
  return hasSecurityToken ? 'stsToken' : 'accessKey';
}

/**
 * A watch node's saved list override. 0.1.0 saved a plain array, without the list it replaced: it
 * is ignored, so that the configured list applies again.
 */
export function migrateSavedOverride(saved: unknown): SavedWatch['override'] {
  return saved && typeof saved === 'object' && !Array.isArray(saved) ? (saved as SavedWatch['override']) : undefined;
}
