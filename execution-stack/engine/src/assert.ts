// Assertions are part of the design (TigerBeetle style): a broken invariant is a bug, so the
// engine stops instead of trading on a corrupted book. Business refusals never throw: they are
// returned as reject codes. Messages are constant strings so a passing assert costs nothing.

export class EngineAssertionError extends Error {
  constructor(message: string) {
    super(`engine invariant broken: ${message}`);
    this.name = 'EngineAssertionError';
  }
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new EngineAssertionError(message);
}
