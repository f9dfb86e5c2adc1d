import { classifyError, type ErrorClass } from './error-table';

export interface OnsMqttErrorInit {
  code: string;
  message: string;
  httpStatus?: number;
  requestId?: string;
  attempts?: number;
  field?: string;
  /** Override the table (only for local codes whose class is known at the call site). */
  errorClass?: ErrorClass;
}

/**
 * The one error type the core throws or returns. It carries no reference to the SDK's error
 * (whose `request` may hold signed headers and the STS token), only plain, safe fields.
 */
export class OnsMqttError extends Error {
  readonly code: string;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly errorClass: ErrorClass;
  hint: string;
  /** Requests sent for this query (0 when rejected locally before any request). */
  attempts: number;
  /** For InvalidInput: which input field was wrong. */
  readonly field: string | undefined;

  constructor(init: OnsMqttErrorInit) {
    super(init.message);
    this.name = 'OnsMqttError';
    const classification = classifyError(init.code, init.httpStatus);
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.requestId = init.requestId;
    this.errorClass = init.errorClass ?? classification.class;
    this.retryable = this.errorClass === 'retry';
    this.hint = classification.hint;
    this.attempts = init.attempts ?? 0;
    this.field = init.field;
  }

  /** Fills what the call knows into the hint's placeholders ({regionId}, {instanceId}). */
  withContext(values: Readonly<Record<string, string | undefined>>): this {
    this.hint = this.hint.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
    return this;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      httpStatus: this.httpStatus,
      requestId: this.requestId,
      retryable: this.retryable,
      errorClass: this.errorClass,
      attempts: this.attempts,
      hint: this.hint,
      ...(this.field ? { field: this.field } : {}),
    };
  }
}

export function isOnsMqttError(value: unknown): value is OnsMqttError {
  return value instanceof OnsMqttError;
}

export function invalidInput(field: string, message: string): OnsMqttError {
  return new OnsMqttError({ code: 'InvalidInput', field, message: `${field}: ${message}` });
}

/**
 * Anything caught, as an OnsMqttError: ours as it is; anything else as an InvalidInput of `field`
 * when the caller knows it came from reading an input (an expression, a parameter), else as an
 * InternalClientError (fail class: a defect, not something a retry mends). Never calls the value
 * (a thrown `{"toString": 1}` would throw again).
 */
export function asOnsMqttError(error: unknown, field?: string): OnsMqttError {
  if (error instanceof OnsMqttError) return error;
  const text =
    error instanceof Error
      ? error.message
      : typeof error === 'string'
        ? error
        : `a ${error === null ? 'null' : typeof error} was thrown`;
  if (field !== undefined) return invalidInput(field, text);
  return new OnsMqttError({ code: 'InternalClientError', errorClass: 'fail', message: text });
}
