/**
 * Asserts an invariant. A broken invariant is a bug, not a business outcome: it throws and the
 * caller's transaction rolls back. Business refusals are returned as result codes instead.
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}
