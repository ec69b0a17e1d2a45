// An investor's order intents: place (Idempotency-Key required, as on every mutation), list,
// read one, cancel. Accounts and tenants come from the session, never from the body.
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, Permissions, type Principal } from '../auth/permissions.decorator.js';
import { GroupCommit } from '../tenancy/group-commit.decorator.js';
import { OrdersError } from './orders.errors.js';
import { INTENTS_PER_PAGE_MAX, OrdersService, PAYOUTS_PER_PAGE_MAX } from './orders.service.js';
import type { AllocationView, IntentView, PayoutView, TradingTerms } from './orders.views.js';

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(INTENTS_PER_PAGE_MAX).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
});

const PayoutsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(PAYOUTS_PER_PAGE_MAX).default(50) });

@Controller('v1/orders')
export class OrdersController {
  constructor(@Inject(OrdersService) private readonly orders: OrdersService) {}

  @Post('intents')
  @Permissions('orders:place')
  @GroupCommit('a placement is one run of reads and writes in this database, then the wall is nudged')
  async place(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<IntentView> {
    return this.orders.placeIntent(principal, body);
  }

  @Get('intents')
  @Permissions('orders:read-own')
  async list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ intents: IntentView[] }> {
    const parsed = ListQuery.safeParse(query ?? {});
    if (!parsed.success) throw new OrdersError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
    return { intents: await this.orders.listIntents(principal, { limit: parsed.data.limit, before: parsed.data.before ? new Date(parsed.data.before) : null }) };
  }

  @Get('intents/:intentId')
  @Permissions('orders:read-own')
  async get(@CurrentPrincipal() principal: Principal, @Param('intentId', new ParseUUIDPipe({ version: '4' })) intentId: string): Promise<IntentView> {
    return this.orders.getIntent(principal, intentId);
  }

  /** The fills booked against one of the investor's intents: quantity, average price, fee. */
  @Get('intents/:intentId/allocations')
  @Permissions('orders:read-own')
  async allocations(
    @CurrentPrincipal() principal: Principal,
    @Param('intentId', new ParseUUIDPipe({ version: '4' })) intentId: string,
  ): Promise<{ allocations: AllocationView[] }> {
    return { allocations: await this.orders.listAllocations(principal, intentId) };
  }

  /** Resolution and distribution payouts credited to the investor, newest first. */
  @Get('payouts')
  @Permissions('orders:read-own')
  async payouts(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ payouts: PayoutView[] }> {
    const parsed = PayoutsQuery.safeParse(query ?? {});
    if (!parsed.success) throw new OrdersError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
    return { payouts: await this.orders.listPayouts(principal, parsed.data.limit) };
  }

  /** The fee rate, currency and times in force an order ticket prices with, and where public market data is read. */
  @Get('terms')
  @Permissions('orders:read-own')
  terms(): TradingTerms {
    return this.orders.terms();
  }

  /** Accepted, not done: the intent is cancel_requested until the execution stack confirms what will never fill. */
  @Post('intents/:intentId/cancel')
  @HttpCode(202)
  @Permissions('orders:place')
  async cancel(@CurrentPrincipal() principal: Principal, @Param('intentId', new ParseUUIDPipe({ version: '4' })) intentId: string): Promise<IntentView> {
    return this.orders.cancelIntent(principal, intentId);
  }
}
