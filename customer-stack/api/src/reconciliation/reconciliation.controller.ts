// Reconciliation breaks in the console, for compliance and finance_ops (auditors read): list
// them with amount and age, read one, and record a person's decision — investigating, or
// resolved with a note. Nothing here changes the ledger; mutations carry an Idempotency-Key.
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiBodyOptions } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, Permissions, type Principal } from '../auth/permissions.decorator.js';
import { BreakStatusChange, ReconciliationService } from './reconciliation.service.js';
import type { BreakView } from './reconciliation.views.js';

type SchemaObject = NonNullable<Extract<ApiBodyOptions, { schema?: unknown }>['schema']>;

@ApiTags('console')
@Controller('v1/console/reconciliation')
export class ReconciliationController {
  constructor(@Inject(ReconciliationService) private readonly reconciliation: ReconciliationService) {}

  @Get('breaks')
  @Permissions('reconciliation:read')
  @ApiOperation({ summary: 'Breaks between execution statements and the ledger, oldest first (status, kind, limit 1..200, offset); amount = actual − expected, age in ms' })
  async breaks(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ breaks: BreakView[] }> {
    return { breaks: await this.reconciliation.listBreaks(principal, query) };
  }

  @Get('breaks/:breakId')
  @Permissions('reconciliation:read')
  @ApiOperation({ summary: 'One break' })
  one(@CurrentPrincipal() principal: Principal, @Param('breakId', ParseUUIDPipe) breakId: string): Promise<BreakView> {
    return this.reconciliation.getBreak(principal, breakId);
  }

  @Post('breaks/:breakId/status')
  @HttpCode(200)
  @Permissions('reconciliation:manage')
  @ApiOperation({ summary: 'open → investigating → resolved (or open → resolved); resolving needs a note. Audited; the ledger is never touched.' })
  @ApiBody({ schema: z.toJSONSchema(BreakStatusChange, { io: 'input' }) as SchemaObject })
  changeStatus(@CurrentPrincipal() principal: Principal, @Param('breakId', ParseUUIDPipe) breakId: string, @Body() body: unknown): Promise<BreakView> {
    return this.reconciliation.changeStatus(principal, breakId, body);
  }
}
