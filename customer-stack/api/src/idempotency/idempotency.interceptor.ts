// Every HTTP mutation carries an Idempotency-Key: a retry returns the original answer instead of
// acting twice. Missing key → 400; the key with another request → 422; the same request still
// running → 409; done → the stored response. Keys are scoped per principal (per route for
// anonymous callers). @NoIdempotencyKey opts a route out (session credentials must not be stored).
import { HttpException, Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Principal } from '../auth/principal.js';
import { IdempotencyError } from './idempotency.errors.js';
import { IdempotencyService, requestHash } from './idempotency.service.js';
import { NO_IDEMPOTENCY_KEY } from './no-idempotency-key.decorator.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Attempts to record the outcome of a request that acted. */
export const COMPLETE_ATTEMPTS_MAX = 3;
const MUTATIONS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY = /^[\x21-\x7e]{8,128}$/;

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(IdempotencyService) private readonly records: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    if (!MUTATIONS.has(request.method)) return next.handle();
    const optedOut = this.reflector.getAllAndOverride<string | undefined>(NO_IDEMPOTENCY_KEY, [context.getHandler(), context.getClass()]);
    if (optedOut !== undefined) return next.handle();
    const key = request.header(IDEMPOTENCY_HEADER);
    if (key === undefined || key === '') throw new IdempotencyError('idempotency_key_missing');
    if (!KEY.test(key)) throw new IdempotencyError('idempotency_key_invalid');
    const path = request.originalUrl.split('?')[0] ?? request.originalUrl;
    const principal = request.principal;
    const scope = principal ? `user:${principal.tenantId}:${principal.userId}` : `anonymous:${request.method} ${path}`;
    const successStatus = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    return from(this.run(scope, key, requestHash(request.method, request.originalUrl, request.body), successStatus, next));
  }

  private async run(scope: string, key: string, hash: string, successStatus: number, next: CallHandler): Promise<unknown> {
    const claim = await this.records.claim(scope, key, hash, new Date());
    if (claim.kind === 'mismatch') throw new IdempotencyError('idempotency_key_reused');
    if (claim.kind === 'in_progress') throw new IdempotencyError('idempotency_request_in_progress');
    if (claim.kind === 'replay') {
      const body: unknown = claim.body === null ? undefined : JSON.parse(claim.body);
      // A stored refusal is refused again, the same way; a stored success is returned as it was.
      if (claim.status >= 400) throw new HttpException(body as Record<string, unknown>, claim.status);
      return body;
    }
    let result: unknown;
    try {
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500) {
        const response = error.getResponse();
        const stored = typeof response === 'string' ? { message: response } : response;
        await this.records.complete(scope, key, error.getStatus(), JSON.stringify(stored), new Date());
      } else {
        await this.records.release(scope, key);
      }
      throw error;
    }
    await this.completeAfterActing(scope, key, successStatus, result === undefined ? null : JSON.stringify(result));
    return result;
  }

  /**
   * Records the outcome of a request that acted. Its claim is never released from here on: a
   * retry would act again. When the outcome cannot be recorded (the database is out of reach),
   * the answer still goes out — the request did act, and a 500 would send the client to retry
   * it — and the claim stays pending, so a retry is told to wait until the pending timeout.
   */
  private async completeAfterActing(scope: string, key: string, status: number, body: string | null): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.records.complete(scope, key, status, body, new Date());
        return;
      } catch (error) {
        if (attempt >= COMPLETE_ATTEMPTS_MAX) {
          const cause = error instanceof Error ? error.message : String(error);
          this.logger.error({ event: 'idempotency.complete.failed', attempts: attempt, cause }, 'outcome of a request that acted not recorded');
          return;
        }
      }
    }
  }
}
