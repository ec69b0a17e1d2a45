import { describe, expect, it } from '@jest/globals';
import { InternalServerErrorException, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of, throwError } from 'rxjs';
import { COMPLETE_ATTEMPTS_MAX, IdempotencyInterceptor } from './idempotency.interceptor.js';
import type { IdempotencyService } from './idempotency.service.js';

/** An idempotency store that claims every key and fails to record an outcome `completeFailures` times. */
function store(completeFailures: number) {
  const calls = { complete: 0, release: 0 };
  const records = {
    claim: async () => ({ kind: 'claimed' as const }),
    complete: async () => {
      calls.complete += 1;
      if (calls.complete <= completeFailures) throw new Error('timeout exceeded when trying to connect');
    },
    release: async () => {
      calls.release += 1;
    },
  };
  return { calls, interceptor: new IdempotencyInterceptor(new Reflector(), records as unknown as IdempotencyService) };
}

const context = {
  getType: () => 'http',
  getHandler: () => function place() {},
  getClass: () => class Orders {},
  switchToHttp: () => ({
    getRequest: () => ({ method: 'POST', originalUrl: '/v1/orders/intents', body: { quantity: '1' }, header: () => 'key-0123456789' }),
  }),
} as unknown as ExecutionContext;
const acting = (answer: unknown): CallHandler => ({ handle: () => of(answer) });

describe('IdempotencyInterceptor once the request acted', () => {
  it.each([
    ['recorded at once', 0, 1],
    ['recorded after failed attempts', COMPLETE_ATTEMPTS_MAX - 1, COMPLETE_ATTEMPTS_MAX],
    ['not recorded at all: the answer still goes out', COMPLETE_ATTEMPTS_MAX, COMPLETE_ATTEMPTS_MAX],
  ])('%s, and never releases its claim (a retry would act again)', async (_case, failures, attempts) => {
    const { calls, interceptor } = store(failures);
    const answer = { intentId: 'b7f8c1de-7d4b-4d7c-9f36-5a1e2f1b9c01', status: 'submitted' };
    await expect(lastValueFrom(interceptor.intercept(context, acting(answer)))).resolves.toEqual(answer);
    expect(calls).toEqual({ complete: attempts, release: 0 });
  });

  it('releases the claim of a request that failed without acting (5xx), so it may be retried', async () => {
    const { calls, interceptor } = store(0);
    const failing: CallHandler = { handle: () => throwError(() => new InternalServerErrorException()) };
    await expect(lastValueFrom(interceptor.intercept(context, failing))).rejects.toBeInstanceOf(InternalServerErrorException);
    expect(calls).toEqual({ complete: 0, release: 1 });
  });
});
