// Every HTTP mutation carries an Idempotency-Key: a retry returns the original answer instead of
// acting twice. Missing key → 400; the key with another request → 422; the same request still
// running → 409; done → the stored response. Keys are scoped per principal (per route for
// anonymous callers). @NoIdempotencyKey opts a route out (session credentials must not be stored).
// The outcome commits in the handler's own transaction (RequestTransaction): a request whose
// outcome cannot be recorded rolls back what it did, so a retry never finds effects without an
// outcome and acts again. On a @GroupCommit route an investor's request may share that transaction
// with concurrent requests of the same tenant; its outcome still commits with its own effects.
import { HttpException, Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import type { Principal } from '../auth/principal.js';
import { GROUP_COMMIT } from '../tenancy/group-commit.decorator.js';
import { RequestTransaction, type RequestEnd } from '../tenancy/request-transaction.js';
import { IdempotencyError } from './idempotency.errors.js';
import { IdempotencyService, requestHash } from './idempotency.service.js';
import { NO_IDEMPOTENCY_KEY } from './no-idempotency-key.decorator.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const MUTATIONS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY = /^[\x21-\x7e]{8,128}$/;

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(IdempotencyService) private readonly records: IdempotencyService,
    @Inject(RequestTransaction) private readonly requests: RequestTransaction,
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
    const grouped = this.reflector.get<string | undefined>(GROUP_COMMIT, context.getHandler()) !== undefined;
    const groupTenant = grouped && principal ? principal.tenantId : null;
    return from(this.run(scope, key, requestHash(request.method, request.originalUrl, request.body), successStatus, groupTenant, next));
  }

  private async run(scope: string, key: string, hash: string, successStatus: number, groupTenant: string | null, next: CallHandler): Promise<unknown> {
    const claim = await this.records.claim(scope, key, hash, new Date());
    if (claim.kind === 'mismatch') throw new IdempotencyError('idempotency_key_reused');
    if (claim.kind === 'in_progress') throw new IdempotencyError('idempotency_request_in_progress');
    if (claim.kind === 'replay') {
      const body: unknown = claim.body === null ? undefined : JSON.parse(claim.body);
      // A stored refusal is refused again, the same way; a stored success is returned as it was.
      if (claim.status >= 400) throw new HttpException(body as Record<string, unknown>, claim.status);
      return body;
    }
    const { claimedAt } = claim;
    const settle = (tx: SqlTx, end: RequestEnd<unknown>): Promise<void> => {
      const [status, body] = end.kind === 'returned' ? [successStatus, end.value === undefined ? null : JSON.stringify(end.value)] : refusalOf(end.error);
      return this.records.complete(tx, scope, key, claimedAt, status, body, new Date());
    };
    return this.requests.run({
      requestId: `${scope}\n${key}\n${hash}`,
      groupTenant,
      handler: () => lastValueFrom(next.handle(), { defaultValue: undefined }),
      isRefusal,
      settle,
      failed: async (error, actedOutside) => {
        if (actedOutside) {
          // What it did outside the request's transaction committed: releasing the claim would let
          // a retry act again. It stays pending; a retry is told to wait until the pending timeout.
          this.logger.error({ event: 'idempotency.complete.failed', cause: String(error) }, 'outcome of a request that acted outside its transaction not recorded');
          return;
        }
        // Everything it did rolled back with its outcome: the key may be used again. If even
        // releasing fails, the claim lapses after the pending timeout.
        await this.records.release(scope, key, claimedAt).catch((cause: unknown) =>
          this.logger.error({ event: 'idempotency.release.failed', cause: String(cause) }, 'claim of a failed request not released'));
      },
    });
  }
}

/** A 4xx: the handler refused, and that answer is recorded and replayed. */
function isRefusal(error: unknown): error is HttpException {
  return error instanceof HttpException && error.getStatus() < 500;
}

function refusalOf(error: unknown): [number, string] {
  if (!isRefusal(error)) throw new Error('only a refusal is recorded as an outcome');
  const response = error.getResponse();
  return [error.getStatus(), JSON.stringify(typeof response === 'string' ? { message: response } : response)];
}
