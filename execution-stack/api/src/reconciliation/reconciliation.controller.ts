// Reconciliation for operators (PS256-signed requests, like every operator route): run the
// checks now, list breaks with their amount and age, acknowledge or resolve one (a person's
// decision: nothing is corrected by it), and send a period's statements.
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { Principal } from '../members/members.service.js';
import { KEY_HEADER, SIGNATURE_HEADER } from '../members/request-signature.js';
import { CurrentPrincipal, PrincipalKind, SignedRequestGuard } from '../members/signed-request.guard.js';
import { ReconciliationError, ReconciliationErrorCode } from './reconciliation.errors.js';
import { BREAK_PAGE_ROWS_MAX, ReconciliationService } from './reconciliation.service.js';
import type { BreakView } from './reconciliation.views.js';

const BreakQuery = z.strictObject({
  status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(BREAK_PAGE_ROWS_MAX).default(100),
});
const StatementRequest = z.strictObject({ periodStart: z.iso.datetime(), periodEnd: z.iso.datetime() });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ReconciliationError(ReconciliationErrorCode.BadRequest, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

@ApiTags('operator')
@ApiHeader({ name: KEY_HEADER, required: true })
@ApiHeader({ name: SIGNATURE_HEADER, required: true })
@Controller('v1/operator/reconciliation')
@PrincipalKind('operator')
@UseGuards(SignedRequestGuard)
export class ReconciliationController {
  constructor(@Inject(ReconciliationService) private readonly reconciliation: ReconciliationService) {}

  @Post('runs')
  @HttpCode(200)
  @ApiOkResponse({ description: 'How many breaks the run found, and how many are new' })
  async run(@CurrentPrincipal() operator: Principal): Promise<{ found: number; opened: number }> {
    const { findings, opened } = await this.reconciliation.run(`operator:${operator.id}`);
    return { found: findings.length, opened };
  }

  @Get('breaks')
  @ApiOkResponse({ description: 'Breaks, oldest first, with amount (actual − expected) and age' })
  async breaks(@Query() query: unknown): Promise<{ breaks: BreakView[] }> {
    const filter = parse(BreakQuery, query);
    return { breaks: await this.reconciliation.breaks(filter.status === undefined ? { limit: filter.limit } : { status: filter.status, limit: filter.limit }) };
  }

  @Post('breaks/:breakId/:decision')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The break after the decision' })
  decide(@CurrentPrincipal() operator: Principal, @Param('breakId', ParseUUIDPipe) breakId: string, @Param('decision') decision: string): Promise<BreakView> {
    if (decision !== 'acknowledge' && decision !== 'resolve') throw new ReconciliationError(ReconciliationErrorCode.BadRequest, 'acknowledge or resolve');
    return this.reconciliation.decide(breakId, operator.id, decision === 'acknowledge' ? 'acknowledged' : 'resolved');
  }

  @Post('statements')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The statements sent for the period (a tenant already stated is skipped)' })
  async statements(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<{ statements: { tenantRef: string; statementId: string }[] }> {
    const { periodStart, periodEnd } = parse(StatementRequest, body);
    return { statements: await this.reconciliation.sendStatements(periodStart, periodEnd, `operator:${operator.id}`) };
  }
}
