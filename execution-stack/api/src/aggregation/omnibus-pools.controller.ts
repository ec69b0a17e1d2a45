// Omnibus pools and allocations for operators (PS256-signed requests, read only): the pools
// waiting for their window, the omnibus orders, and one order's intents, fills and allocations.
import { Controller, Get, HttpException, HttpStatus, Inject, Param, ParseUUIDPipe, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { KEY_HEADER, SIGNATURE_HEADER } from '../members/request-signature.js';
import { PrincipalKind, SignedRequestGuard } from '../members/signed-request.guard.js';
import { ORDERS_LISTED_MAX, OmnibusPoolsService } from './omnibus-pools.service.js';
import type { OmnibusOrderDetail, OmnibusOrderView, WaitingPool } from './omnibus-pools.views.js';

const OrdersQuery = z.strictObject({
  status: z.enum(['new', 'working', 'done']).optional(),
  limit: z.coerce.number().int().min(1).max(ORDERS_LISTED_MAX).default(50),
});

@ApiTags('operator')
@ApiHeader({ name: KEY_HEADER, required: true })
@ApiHeader({ name: SIGNATURE_HEADER, required: true })
@Controller('v1/operator/pools')
@PrincipalKind('operator')
@UseGuards(SignedRequestGuard)
export class OmnibusPoolsController {
  constructor(@Inject(OmnibusPoolsService) private readonly pools: OmnibusPoolsService) {}

  @Get()
  @ApiOkResponse({ description: 'Pools still in their window (oldest first) and omnibus orders (newest first)' })
  async list(@Query() query: unknown): Promise<{ waiting: WaitingPool[]; orders: OmnibusOrderView[] }> {
    const parsed = OrdersQuery.safeParse(query ?? {});
    if (!parsed.success) {
      throw new HttpException({ message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), code: 'bad_request' }, HttpStatus.BAD_REQUEST);
    }
    const [waiting, orders] = await Promise.all([this.pools.waitingPools(), this.pools.orders(parsed.data)]);
    return { waiting, orders };
  }

  @Get('orders/:orderRef')
  @ApiOkResponse({ description: 'One omnibus order with its intents, venue fills and allocations' })
  async order(@Param('orderRef', ParseUUIDPipe) orderRef: string): Promise<OmnibusOrderDetail> {
    const detail = await this.pools.order(orderRef);
    if (!detail) throw new HttpException({ message: 'No omnibus order has this reference.', code: 'unknown_order' }, HttpStatus.NOT_FOUND);
    return detail;
  }
}
