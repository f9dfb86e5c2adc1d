import { apply } from './apply.operation';
import { query } from './query.operation';
import { revoke } from './revoke.operation';

/** The Token resource's operations, the first one its default. */
export const token = [apply, query, revoke];
