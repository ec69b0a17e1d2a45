// A small HTTP client for the stacks' real APIs: JSON in and out, a Bearer token when signed in,
// and an Idempotency-Key on every mutation (the platform requires one).
import { randomUUID } from 'node:crypto';

export interface HttpAnswer<T> {
  readonly status: number;
  readonly body: T;
}

export class HttpClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  as(token: string): HttpClient {
    return new HttpClient(this.baseUrl, token);
  }

  get<T>(path: string): Promise<HttpAnswer<T>> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: unknown, idempotencyKey: string = randomUUID()): Promise<HttpAnswer<T>> {
    return this.send<T>('POST', path, body, idempotencyKey);
  }

  private async send<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

/** Signs in over HTTP with tokens in the body (the API client's transport); returns the access token. */
export async function signIn(http: HttpClient, tenantId: string, email: string, password: string): Promise<{ accessToken: string; principal: Record<string, unknown> }> {
  const answer = await http.post<{ accessToken?: string; principal?: Record<string, unknown> }>('/auth/login', { tenantId, email, password, transport: 'token' });
  if (answer.status !== 200 || !answer.body.accessToken || !answer.body.principal) throw new Error(`sign-in failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { accessToken: answer.body.accessToken, principal: answer.body.principal };
}
