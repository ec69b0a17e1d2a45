import { describe, expect, it } from '@jest/globals';
import { InternalServerErrorException, UnprocessableEntityException, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, of, throwError } from 'rxjs';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { RequestTransaction } from '../tenancy/request-transaction.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import type { IdempotencyService } from './idempotency.service.js';

/** A database whose transactions log whether they committed, and a store that claims every key. */
function harness(completeFails: boolean) {
  const log: string[] = [];
  const db: SqlDatabase = {
    transaction: async (work) => {
      const tx: SqlTx = { query: async () => [] };
      try {
        const result = await work(tx);
        log.push('commit');
        return result;
      } catch (error) {
        log.push('rollback');
        throw error;
      }
    },
  };
  const records = {
    claim: async () => ({ kind: 'claimed' as const, claimedAt: new Date(0) }),
    complete: async (_tx: SqlTx, _scope: string, _key: string, _at: Date, status: number) => {
      log.push(`complete ${status}`);
      if (completeFails) throw new Error('Connection terminated unexpectedly');
    },
    release: async () => {
      log.push('release');
    },
  };
  const requests = new RequestTransaction(db);
  return { log, requests, interceptor: new IdempotencyInterceptor(new Reflector(), records as unknown as IdempotencyService, requests) };
}

const context = {
  getType: () => 'http',
  getHandler: () => function place() {},
  getClass: () => class Orders {},
  switchToHttp: () => ({
    getRequest: () => ({ method: 'POST', originalUrl: '/v1/orders/intents', body: { quantity: '1' }, header: () => 'key-0123456789' }),
  }),
} as unknown as ExecutionContext;
const answering = (answer: unknown): CallHandler => ({ handle: () => of(answer) });
const failing = (error: Error): CallHandler => ({ handle: () => throwError(() => error) });

describe('IdempotencyInterceptor: the outcome commits with the handler', () => {
  it('records the answer in the handler transaction, which then commits', async () => {
    const { log, interceptor } = harness(false);
    const answer = { intentId: 'b7f8c1de-7d4b-4d7c-9f36-5a1e2f1b9c01', status: 'submitted' };
    await expect(lastValueFrom(interceptor.intercept(context, answering(answer)))).resolves.toEqual(answer);
    expect(log).toEqual(['complete 201', 'commit']);
  });

  it('rolls the handler back when its outcome cannot be recorded, then releases the claim', async () => {
    const { log, interceptor } = harness(true);
    await expect(lastValueFrom(interceptor.intercept(context, answering({ status: 'submitted' })))).rejects.toThrow('Connection terminated unexpectedly');
    expect(log).toEqual(['complete 201', 'rollback', 'release']);
  });

  it('commits a refusal (4xx) with its outcome and keeps the claim', async () => {
    const { log, interceptor } = harness(false);
    await expect(lastValueFrom(interceptor.intercept(context, failing(new UnprocessableEntityException())))).rejects.toBeInstanceOf(UnprocessableEntityException);
    expect(log).toEqual(['complete 422', 'commit']);
  });

  it('rolls back a request that failed (5xx) and releases its claim, so it may be retried', async () => {
    const { log, interceptor } = harness(false);
    await expect(lastValueFrom(interceptor.intercept(context, failing(new InternalServerErrorException())))).rejects.toBeInstanceOf(InternalServerErrorException);
    expect(log).toEqual(['release']); // it never joined: no transaction was opened
  });

  it('answers, and keeps the claim, when a handler that acted outside its transaction loses its outcome', async () => {
    const { log, requests, interceptor } = harness(true);
    const outside: CallHandler = { handle: () => from(requests.outside(async () => ({ status: 'sent' }))) };
    await expect(lastValueFrom(interceptor.intercept(context, outside))).resolves.toEqual({ status: 'sent' });
    expect(log).toEqual(['complete 201', 'rollback']);
  });
});
