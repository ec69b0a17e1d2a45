// The member API (REST): orders, cancels, replaces, own orders and fills. Every route needs a
// signed request from a member; operator routes live in operator.controller.ts.
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseIntPipe, ParseUUIDPipe, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { MARKET_PAGE_ROWS_MAX, MarketService, type FillView, type OrderView } from '../market/market.service.js';
import { memberError, MemberErrorCode } from './member.errors.js';
import { MembersService, type MemberView, type Principal } from './members.service.js';
import { KEY_HEADER, SIGNATURE_HEADER } from './request-signature.js';
import { CurrentPrincipal, PrincipalKind, SignedRequestGuard } from './signed-request.guard.js';

const Page = z.coerce.number().int().min(1).max(MARKET_PAGE_ROWS_MAX).default(100);

export function memberOf(principal: Principal): MemberView {
  if (!principal.member) throw memberError(MemberErrorCode.WrongPrincipal);
  return principal.member;
}

@ApiTags('member')
@ApiHeader({ name: KEY_HEADER, required: true })
@ApiHeader({ name: SIGNATURE_HEADER, required: true, description: 'Compact JWS (PS256) over {method, path, bodySha256, ts, nonce}' })
@Controller('v1/member')
@PrincipalKind('member')
@UseGuards(SignedRequestGuard)
export class MembersController {
  constructor(
    @Inject(MembersService) private readonly members: MembersService,
    @Inject(MarketService) private readonly market: MarketService,
  ) {}

  @Get('me')
  @ApiOkResponse({ description: 'The member, its limits and status' })
  me(@CurrentPrincipal() principal: Principal): MemberView {
    return memberOf(principal);
  }

  @Post('orders')
  @ApiOkResponse({ description: 'The order was accepted by the book' })
  placeOrder(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<{ orderId: string; status: 'accepted' }> {
    return this.members.placeOrder(memberOf(principal), body as never);
  }

  @Delete('orders/:instrumentId/:orderId')
  @HttpCode(204)
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('instrumentId', ParseUUIDPipe) instrumentId: string,
    @Param('orderId', ParseIntPipe) orderId: number,
  ): Promise<void> {
    await this.members.cancelOrder(memberOf(principal), instrumentId, orderId);
  }

  @Patch('orders/:instrumentId/:orderId')
  @HttpCode(204)
  async replace(
    @CurrentPrincipal() principal: Principal,
    @Param('instrumentId', ParseUUIDPipe) instrumentId: string,
    @Param('orderId', ParseIntPipe) orderId: number,
    @Body() body: unknown,
  ): Promise<void> {
    await this.members.replaceOrder(memberOf(principal), instrumentId, orderId, body);
  }

  @Get('orders')
  @ApiOkResponse({ description: 'Own orders, newest first' })
  async orders(
    @CurrentPrincipal() principal: Principal,
    @Query('open') open?: string,
    @Query('instrumentId') instrumentId?: string,
    @Query('limit') limit?: string,
  ): Promise<{ orders: OrderView[] }> {
    const id = instrumentId === undefined ? undefined : z.uuid().safeParse(instrumentId);
    if (id && !id.success) throw memberError(MemberErrorCode.BadRequest, 'instrumentId is a UUID.');
    return {
      orders: await this.market.ordersOf(memberOf(principal).ownerNo, { openOnly: open === 'true', limit: Page.parse(limit), ...(id ? { instrumentId: id.data } : {}) }),
    };
  }

  @Get('fills')
  @ApiOkResponse({ description: 'Own fills, newest first' })
  async fills(@CurrentPrincipal() principal: Principal, @Query('limit') limit?: string): Promise<{ fills: FillView[] }> {
    return { fills: await this.market.fillsOf(memberOf(principal).ownerNo, Page.parse(limit)) };
  }
}
