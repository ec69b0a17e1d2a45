// An investor's own balances; staff with ledger:read see any account's.
import { Controller, Get, Inject } from '@nestjs/common';
import { CurrentPrincipal, Permissions, type Principal } from '../auth/permissions.decorator.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { LedgerService } from './ledger.service.js';
import type { AccountBalance } from './ledger.types.js';

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
}
