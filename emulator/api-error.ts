import { SERVICE_ERRORS } from './service-errors';

/** An error answer of the emulated API: a documented code, with the service's message unless given. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message?: string,
  ) {
    super(message ?? SERVICE_ERRORS[code]?.message ?? code);
  }
}
