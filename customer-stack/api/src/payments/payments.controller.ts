// Money in and out over HTTP. Investors: deposits at a locked quote, withdrawals with a fresh
// TOTP code, their own lists. finance_ops: the approval queue, approve, reject. Providers: the
// signed webhook route. Every mutation but the webhook carries an Idempotency-Key.
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiBodyOptions } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, Permissions, type Principal } from '../auth/permissions.decorator.js';
import { WebhookEvent } from './payment-provider.js';
import { PaymentsError } from './payments.errors.js';
import { DepositBody, PAYMENTS_PER_PAGE_MAX, PaymentsService, RejectBody, WithdrawalBody } from './payments.service.js';
import type { DepositView, WithdrawalReview, WithdrawalView } from './payments.views.js';
import { SignedWebhook } from './signed-webhook.decorator.js';
import { WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './webhook-signature.js';

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(PAYMENTS_PER_PAGE_MAX).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
});
const QueueQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(PAYMENTS_PER_PAGE_MAX).default(50) });

type SchemaObject = NonNullable<Extract<ApiBodyOptions, { schema?: unknown }>['schema']>;
const schema = (type: z.ZodType): SchemaObject => z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as SchemaObject;

function listQuery(query: unknown): { limit: number; before: Date | null } {
  const parsed = ListQuery.safeParse(query ?? {});
  if (!parsed.success) throw new PaymentsError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  return { limit: parsed.data.limit, before: parsed.data.before ? new Date(parsed.data.before) : null };
}

const uuid = () => new ParseUUIDPipe({ version: '4' });

@ApiTags('payments')
@Controller('v1/payments')
export class PaymentsController {
  constructor(@Inject(PaymentsService) private readonly payments: PaymentsService) {}

  @Post('deposits')
  @Permissions('payments:deposit')
  @ApiOperation({ summary: 'Deposit LKR at a locked FX quote (POST /v1/fx/quotes, sell LKR buy USD); settles at exactly that quote or not at all' })
  @ApiBody({ schema: schema(DepositBody) })
  async deposit(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<DepositView> {
    return this.payments.initiateDeposit(principal, body);
  }

  @Get('deposits')
  @Permissions('payments:deposit')
  @ApiOperation({ summary: "The investor's own deposits, newest first" })
  async deposits(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ deposits: DepositView[] }> {
    return { deposits: await this.payments.listDeposits(principal, listQuery(query)) };
  }

  @Get('deposits/:depositId')
  @Permissions('payments:deposit')
  @ApiOperation({ summary: 'One of the investor\'s deposits: initiated → pending → settled | failed' })
  async getDeposit(@CurrentPrincipal() principal: Principal, @Param('depositId', uuid()) depositId: string): Promise<DepositView> {
    return this.payments.getDeposit(principal, depositId);
  }

  @Post('withdrawals')
  @Permissions('payments:withdraw')
  @ApiOperation({ summary: 'Withdraw USD, paid out in LKR at a fresh quote; needs a current TOTP code, the tier limit, AML clearance and (above a threshold) approval' })
  @ApiBody({ schema: schema(WithdrawalBody) })
  async withdraw(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<WithdrawalView> {
    return this.payments.requestWithdrawal(principal, body);
  }

  @Get('withdrawals')
  @Permissions('payments:withdraw')
  @ApiOperation({ summary: "The investor's own withdrawals, newest first" })
  async withdrawals(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ withdrawals: WithdrawalView[] }> {
    return { withdrawals: await this.payments.listWithdrawals(principal, listQuery(query)) };
  }

  @Get('withdrawals/:withdrawalId')
  @Permissions('payments:withdraw')
  @ApiOperation({ summary: "One of the investor's withdrawals" })
  async getWithdrawal(@CurrentPrincipal() principal: Principal, @Param('withdrawalId', uuid()) withdrawalId: string): Promise<WithdrawalView> {
    return this.payments.getWithdrawal(principal, withdrawalId);
  }

  @Get('approvals')
  @Permissions('payments:approve')
  @ApiOperation({ summary: "finance_ops: the tenant's withdrawals waiting for approval or held for AML review, oldest first" })
  async approvals(@CurrentPrincipal() officer: Principal, @Query() query: unknown): Promise<{ withdrawals: WithdrawalReview[] }> {
    const parsed = QueueQuery.safeParse(query ?? {});
    if (!parsed.success) throw new PaymentsError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
    return { withdrawals: await this.payments.approvalQueue(officer, parsed.data.limit) };
  }

  @Post('withdrawals/:withdrawalId/approve')
  @HttpCode(200)
  @Permissions('payments:approve')
  @ApiOperation({ summary: 'finance_ops: approve a withdrawal (not your own; two different approvers above the dual threshold); the last approval sends it' })
  async approve(@CurrentPrincipal() officer: Principal, @Param('withdrawalId', uuid()) withdrawalId: string): Promise<WithdrawalReview> {
    return this.payments.approveWithdrawal(officer, withdrawalId);
  }

  @Post('withdrawals/:withdrawalId/reject')
  @HttpCode(200)
  @Permissions('payments:approve')
  @ApiOperation({ summary: 'finance_ops: reject a waiting or held withdrawal; its reservation is released' })
  @ApiBody({ schema: schema(RejectBody) })
  async reject(@CurrentPrincipal() officer: Principal, @Param('withdrawalId', uuid()) withdrawalId: string, @Body() body: unknown): Promise<WithdrawalReview> {
    return this.payments.rejectWithdrawal(officer, withdrawalId, body);
  }
}

@ApiTags('payments')
@Controller('v1/payments/webhooks')
export class PaymentsWebhookController {
  constructor(@Inject(PaymentsService) private readonly payments: PaymentsService) {}

  @Post(':provider')
  @HttpCode(200)
  @SignedWebhook(`HMAC-SHA256 over "{${WEBHOOK_TIMESTAMP_HEADER}}.{body}" in ${WEBHOOK_SIGNATURE_HEADER}`)
  @ApiOperation({
    summary: `A payment provider's event, signed: ${WEBHOOK_SIGNATURE_HEADER}: v1=hex(HMAC-SHA256(secret, "{${WEBHOOK_TIMESTAMP_HEADER}}.{raw body}"))`
      + ', within 5 minutes, each event once',
  })
  @ApiBody({ schema: schema(WebhookEvent) })
  async receive(
    @Param('provider') provider: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Req() request: Request & { rawBody?: Buffer },
  ): Promise<{ received: true; eventId: string }> {
    return this.payments.receiveWebhook(provider, headers, request.rawBody);
  }
}
