/**
 * What the package makes of one error code: retry it (transient: throttling, service faults,
 * transport) or fail (it will not work until someone fixes something), with a one-line hint.
 */
export type ErrorClass = 'retry' | 'fail';

export interface ErrorRule {
  readonly class: ErrorClass;
  readonly hint: string;
}
