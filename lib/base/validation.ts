import { invalidInput } from './errors';

/**
 * Local checks for what is certainly invalid, so that no request is sent for it. Anything the
 * service might accept passes: the service is the judge of the rest.
 */

// C0 controls, DEL and C1 controls: never part of an MQTT Client ID or an instance id, and CR/LF
// in particular must never reach a signed header or a log line.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Far above anything the service accepts (Client IDs are at most 64 characters); protects the URL. */
export const MAX_ID_LENGTH = 1024;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'an empty string';
  const kind = typeof value;
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`; // "an object", "a number"
}

/**
 * How to show any input value in a result or a message, whatever it is: `String(value)` throws for
 * an object whose `toString` is not callable (`{"toString": 1}` from a webhook) or throws, and for
 * a Symbol. Strings come back as they are; other values as JSON where that works, else their kind;
 * never more than 200 characters.
 */
export function displayValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${value}`;
  if (typeof value === 'symbol' || typeof value === 'function') return `(a ${typeof value})`;
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') return json.length > 200 ? `${json.slice(0, 199)}…` : json;
  } catch {
    /* a cycle, a throwing toJSON or getter: fall through */
  }
  return Array.isArray(value) ? '(an array)' : '(an object)';
}

/** A required identifier (Client ID, Instance ID): a non-empty string, trimmed. */
export function requireId(field: string, value: unknown, example: string): string {
  if (typeof value !== 'string') {
    throw invalidInput(field, `expected a non-empty string such as "${example}", got ${describe(value)}.`);
  }
  const trimmed = value.trim();
  if (trimmed === '') {
    throw invalidInput(field, `is empty; give a value such as "${example}".`);
  }
  if (trimmed.length > MAX_ID_LENGTH) {
    throw invalidInput(field, `is ${trimmed.length} characters long; at most ${MAX_ID_LENGTH} are accepted.`);
  }
  if (CONTROL_CHARACTERS.test(trimmed)) {
    throw invalidInput(field, 'contains control characters (such as a line break or NUL); remove them.');
  }
  if (!isWellFormed(trimmed)) {
    // Half of a character (a lone UTF-16 surrogate, e.g. text cut in the middle of an emoji) cannot
    // be sent: the request's encoding would fail, and was retried as a network error.
    throw invalidInput(
      field,
      'contains half of a character (a lone UTF-16 surrogate, as text cut in the middle of an emoji leaves); give the whole value.',
    );
  }
  return trimmed;
}

/** Whether `text` is valid Unicode: no lone surrogate (String#isWellFormed, Node.js 20+). */
function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

export function optionalString(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidInput(field, `expected a string, got ${describe(value)}.`);
  if (CONTROL_CHARACTERS.test(value)) throw invalidInput(field, 'contains control characters; remove them.');
  if (!isWellFormed(value))
    throw invalidInput(field, 'contains half of a character (a lone UTF-16 surrogate); give the whole value.');
  return value.trim() === '' ? undefined : value.trim();
}

/** A credential value: a non-empty string without whitespace or control characters. */
export function requireCredential(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidInput(field, 'is missing: set it in the credentials (AccessKey ID and Secret from the RAM console).');
  }
  const trimmed = value.trim();
  if (/\s/.test(trimmed) || CONTROL_CHARACTERS.test(trimmed)) {
    // Deliberately does not echo the value: it may be a secret.
    throw invalidInput(field, 'contains spaces or control characters; paste it again without them.');
  }
  return trimmed;
}

export interface IntegerRange {
  min: number;
  max: number;
}

/** A numeric option: a finite number within range, or undefined to take the default. */
export function optionalNumber(field: string, value: unknown, range: IntegerRange, integer = true): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw invalidInput(field, `expected a number from ${range.min} to ${range.max}, got ${describe(value)}.`);
  }
  if (integer && !Number.isInteger(n)) {
    throw invalidInput(field, `expected a whole number from ${range.min} to ${range.max}, got ${n}.`);
  }
  if (n < range.min || n > range.max) {
    throw invalidInput(field, `must be from ${range.min} to ${range.max}, got ${n}.`);
  }
  return n;
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalidInput(
    field,
    `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : describe(value)}.`,
  );
}

/** A point in time: Date, epoch milliseconds or an ISO 8601 string. */
export function requireTime(field: string, value: unknown): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && value.trim() !== '') {
    ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Date.parse(value);
  } else {
    throw invalidInput(field, `expected a date (ISO 8601 string, epoch milliseconds or Date), got ${describe(value)}.`);
  }
  if (!Number.isFinite(ms) || ms < 0) {
    throw invalidInput(field, 'is not a valid date; use ISO 8601 (2026-01-31T12:00:00Z) or epoch milliseconds.');
  }
  return ms;
}
