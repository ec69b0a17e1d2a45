// What the stacks answer on failure: RFC 9457 problem+json ({ type, title, status, detail,
// code, correlationId }). The UIs show `detail` (written for people) and keep the code and the
// correlation id visible, so a support call can find the log line.

export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly code?: string;
  readonly correlationId?: string;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string | undefined {
    return this.problem.code;
  }
}

const text = (value: unknown, lengthMax: number): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, lengthMax) : undefined;

/** Reads a problem body defensively: whatever the server sent, the UI gets a usable Problem. */
export function problemOf(status: number, body: unknown): Problem {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const detail = text(record.detail, 2_000) ?? text(record.message, 2_000);
  const code = text(record.code, 100);
  const correlationId = text(record.correlationId, 200);
  return {
    status,
    title: text(record.title, 200) ?? (status === 0 ? 'network error' : `HTTP ${status}`),
    ...(detail ? { detail } : {}),
    ...(code ? { code } : {}),
    ...(correlationId ? { correlationId } : {}),
  };
}

/** One sentence for a person: what went wrong, never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const { status, detail, title } = error.problem;
    if (status === 0) return 'The server cannot be reached. Check your connection and try again.';
    if (status === 401) return detail ?? 'Your session has ended. Please sign in again.';
    if (status === 403) return detail ?? 'You do not have permission to do this.';
    if (status === 429) return detail ?? 'Too many attempts. Wait a moment and try again.';
    if (status >= 500) return 'The server had a problem. Nothing was changed; please try again.';
    return detail ?? title;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
