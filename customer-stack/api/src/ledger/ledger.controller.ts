// An investor's own balances; staff with ledger:read see any account's.
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, Permissions, type Principal } from '../auth/permissions.decorator.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { LedgerError } from './ledger.errors.js';
import { LedgerService } from './ledger.service.js';
import type { AccountBalance, Statement } from './ledger.types.js';

/** The longest period one statement covers. */
export const STATEMENT_PERIOD_MS_MAX = 366 * 86_400_000;

const StatementQuery = z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: 'to must be after from', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= STATEMENT_PERIOD_MS_MAX, { message: 'a statement covers at most 366 days', path: ['to'] });

@Controller('v1/ledger')
export class LedgerController {
  constructor(
    @Inject(LedgerService) private readonly ledger: LedgerService,
    @Inject(TenantScope) private readonly tenants: TenantScope,
  ) {}

  @Get('balances')
  @Permissions('ledger:read-own')
  async balances(@CurrentPrincipal() principal: Principal): Promise<{ accounts: AccountBalance[] }> {
    if (!principal.accountRef) return { accounts: [] };
    const accountRef = principal.accountRef;
    return { accounts: await this.tenants.run(principal.tenantId, (tx) => this.ledger.accountsOf(tx, accountRef)) };
  }

  /** The investor's statement for [from, to): each account's opening balance, entries and closing balance. */
  @Get('statement')
  @Permissions('ledger:read-own')
  async statement(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<Statement> {
    const parsed = StatementQuery.safeParse(query ?? {});
    if (!parsed.success) throw new LedgerError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
    const accountRef = principal.accountRef;
    const from = new Date(parsed.data.from);
    const to = new Date(parsed.data.to);
    if (!accountRef) throw new LedgerError('invalid_request', 'Only an investor account has a statement.');
    return this.tenants.run(principal.tenantId, (tx) => this.ledger.statement(tx, accountRef, from, to));
  }
}
