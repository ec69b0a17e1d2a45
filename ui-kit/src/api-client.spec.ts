import { describe, expect, it } from '@jest/globals';
import { createApiClient, withQuery } from './api-client';
import { ApiError, describeError, problemOf } from './problem';
import { formatCountdown, secondsLeft } from './time';

type Call = { url: string; init: RequestInit };

function fakeServer(responses: Response[]): { calls: Call[]; fetchImpl: typeof fetch } {
  const calls: Call[] = [];
  const fetchImpl = (async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new TypeError('connection refused');
    return next;
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const json = (status: number, body: unknown, type = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('the UIs\' HTTP client', () => {
  it('sends an Idempotency-Key on every mutation and none on reads', async () => {
    const server = fakeServer([json(201, { ok: true }), json(200, { ok: true })]);
    const api = createApiClient({ fetchImpl: server.fetchImpl });
    await api.post('/v1/deposits', { amount: '10' }, { idempotencyKey: 'key-1' });
    await api.get('/v1/balances', { currency: 'USD', empty: '' });
    const headers = server.calls.map((c) => c.init.headers as Record<string, string>);
    expect(headers[0]?.['Idempotency-Key']).toBe('key-1');
    expect(server.calls[0]?.init.body).toBe('{"amount":"10"}');
    expect(headers[1]?.['Idempotency-Key']).toBeUndefined();
    expect(server.calls[1]?.url).toBe('/v1/balances?currency=USD');
  });

  it('turns problem+json into an ApiError a person can read, keeping code and reference', async () => {
    const body = { title: 'unprocessable', status: 422, detail: 'The quote has expired.', code: 'quote_expired', correlationId: 'c-1' };
    const server = fakeServer([json(422, body, 'application/problem+json')]);
    const api = createApiClient({ fetchImpl: server.fetchImpl });
    const error = await api.post('/v1/deposits', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem).toEqual({ status: 422, title: 'unprocessable', detail: 'The quote has expired.', code: 'quote_expired', correlationId: 'c-1' });
    expect(describeError(error)).toBe('The quote has expired.');
  });

  it('renews the session once on 401 and retries; tells the app when that fails', async () => {
    let refreshed = 0;
    let ended = 0;
    const server = fakeServer([json(401, {}), json(200, { n: 1 }), json(401, {}), json(401, {})]);
    const refreshSession = async () => {
      refreshed += 1;
      return true;
    };
    const api = createApiClient({ fetchImpl: server.fetchImpl, refreshSession, onSessionEnded: () => { ended += 1; } });
    await expect(api.get('/v1/me')).resolves.toEqual({ n: 1 });
    await expect(api.get('/v1/me')).rejects.toBeInstanceOf(ApiError);
    expect([refreshed, ended]).toEqual([2, 1]);
  });

  it('reports an unreachable server as status 0, not a crash', async () => {
    const api = createApiClient({ fetchImpl: fakeServer([]).fetchImpl });
    const error = (await api.get('/health').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(describeError(error)).toMatch(/cannot be reached/);
  });

  it('refuses a path that is not an API path', () => {
    expect(() => withQuery('https://evil.example/x')).toThrow();
    expect(() => withQuery('//evil.example/x')).toThrow(); // protocol-relative: another origin
    expect(withQuery('/a', { b: 1, c: undefined })).toBe('/a?b=1');
  });

  it('reads any error body defensively', () => {
    expect(problemOf(500, 'oops')).toEqual({ status: 500, title: 'HTTP 500' });
    expect(problemOf(400, { message: 'email: invalid' })).toEqual({ status: 400, title: 'HTTP 400', detail: 'email: invalid' });
  });
});

describe('quote countdowns', () => {
  it.each([
    ['2026-01-01T00:05:00.000Z', Date.parse('2026-01-01T00:00:00.000Z'), 300, '5:00'],
    ['2026-01-01T00:00:00.500Z', Date.parse('2026-01-01T00:00:00.000Z'), 1, '0:01'],
    ['2026-01-01T00:00:00.000Z', Date.parse('2026-01-01T00:00:01.000Z'), 0, '0:00'],
    ['not a date', 0, 0, '0:00'],
  ])('%s at %i leaves %i s (%s)', (expiresAt, now, seconds, shown) => {
    expect(secondsLeft(expiresAt, now)).toBe(seconds);
    expect(formatCountdown(secondsLeft(expiresAt, now))).toBe(shown);
  });
});
