import { getAvailabilityReport } from './getAvailabilityReport.operation';

/** The Fleet Health resource's operations, the first one its default. */
export const fleetHealth = [getAvailabilityReport];
