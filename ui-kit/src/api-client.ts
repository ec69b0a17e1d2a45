// The one way the UIs talk to their stack: same-origin fetch with the session cookie, JSON in
// and out, problem+json errors as ApiError, an Idempotency-Key on every mutation (the stacks
// require one; a retry of the same action reuses it), and one silent session refresh on 401.

import { ApiError, problemOf } from './problem';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface MutationOptions {
  /** Reuse the key when retrying the same user action; a new action gets a new key. */
  readonly idempotencyKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiClient {
  get<T>(path: string, query?: Query, signal?: AbortSignal, headers?: Readonly<Record<string, string>>): Promise<T>;
  post<T>(path: string, body?: unknown, options?: MutationOptions): Promise<T>;
  put<T>(path: string, body?: unknown, options?: MutationOptions): Promise<T>;
  del<T>(path: string, options?: MutationOptions): Promise<T>;
  /** A binary download (statements, exports): the body, the file name the server suggests and the response headers (digests). */
  download(path: string, query?: Query, headers?: Readonly<Record<string, string>>): Promise<{ blob: Blob; fileName: string | undefined; headers: Headers }>;
}

export interface ApiClientOptions {
  readonly baseUrl?: string;
  /** Called once on a 401; resolves true when the session was renewed (then the call is retried). */
  readonly refreshSession?: () => Promise<boolean>;
  /** Called when a call is still unauthorised after the refresh: the app shows its sign-in. */
  readonly onSessionEnded?: () => void;
  readonly fetchImpl?: typeof fetch;
}

export const REQUEST_TIMEOUT_MS = 20_000;
/** A path on this origin: `//host/...` would leave it, so a second leading slash is refused. */
const PATH = /^\/(?!\/)[A-Za-z0-9\-._~/%:@]*$/;

export function withQuery(path: string, query?: Query): string {
  if (!PATH.test(path)) throw new Error(`not an API path: ${path}`);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function send(method: string, url: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    try {
      return await doFetch(`${baseUrl}${url}`, {
        method,
        credentials: 'same-origin',
        headers: { Accept: 'application/json, application/problem+json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError({ status: 0, title: 'network error', detail: error instanceof Error ? error.message : 'the request failed' });
    }
  }

  async function call(method: string, url: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    let response = await send(method, url, body, headers, signal);
    // A 401 from the sign-in endpoints themselves is an answer (wrong password), not an ended session.
    const sessionCall = !url.startsWith('/auth/') || url === '/auth/me';
    if (response.status === 401 && sessionCall && options.refreshSession) {
      if (await options.refreshSession()) response = await send(method, url, body, headers, signal);
    }
    if (response.status === 401 && sessionCall && url !== '/auth/me') options.onSessionEnded?.();
    if (!response.ok) {
      const problem = await response.json().catch(() => undefined);
      throw new ApiError(problemOf(response.status, problem));
    }
    return response;
  }

  async function json<T>(response: Response): Promise<T> {
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('json')) return (await response.text()) as T;
    return (await response.json()) as T;
  }

  const mutate = async <T>(method: string, path: string, body: unknown, mutation: MutationOptions = {}): Promise<T> =>
    json<T>(await call(method, withQuery(path), body, { 'Idempotency-Key': mutation.idempotencyKey ?? newIdempotencyKey(), ...mutation.headers }));

  return {
    get: async <T>(path: string, query?: Query, signal?: AbortSignal, headers?: Readonly<Record<string, string>>) =>
      json<T>(await call('GET', withQuery(path, query), undefined, { ...headers }, signal)),
    post: (path, body, mutation) => mutate('POST', path, body ?? {}, mutation),
    put: (path, body, mutation) => mutate('PUT', path, body ?? {}, mutation),
    del: (path, mutation) => mutate('DELETE', path, undefined, mutation),
    download: async (path, query, headers) => {
      const response = await call('GET', withQuery(path, query), undefined, { Accept: '*/*', ...headers });
      const disposition = response.headers.get('content-disposition') ?? '';
      const fileName = /filename="?([^";]+)"?/.exec(disposition)?.[1];
      return { blob: await response.blob(), fileName, headers: response.headers };
    },
  };
}
