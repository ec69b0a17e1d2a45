// Resolution and distributions over HTTP, for operators only (PS256-signed requests, exactly
// like the other operator routes): resolve an event, declare a distribution, read an event and
// its payouts.
import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { Principal } from '../members/members.service.js';
import { KEY_HEADER, SIGNATURE_HEADER } from '../members/request-signature.js';
import { CurrentPrincipal, PrincipalKind, SignedRequestGuard } from '../members/signed-request.guard.js';
import { ResolutionError, ResolutionErrorCode } from './resolution.errors.js';
import { PAYOUT_PAGE_ROWS_MAX, ResolutionService } from './resolution.service.js';
import type { InstrumentEventView, PayoutView } from './resolution.views.js';

const PayoutPage = z.strictObject({
  after: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(PAYOUT_PAGE_ROWS_MAX).default(100),
});

@ApiTags('operator')
@ApiHeader({ name: KEY_HEADER, required: true })
@ApiHeader({ name: SIGNATURE_HEADER, required: true })
@Controller('v1/operator')
@PrincipalKind('operator')
@UseGuards(SignedRequestGuard)
export class ResolutionController {
  constructor(@Inject(ResolutionService) private readonly resolution: ResolutionService) {}

  @Post('resolutions')
  @ApiOkResponse({ description: 'The resolution with its payout totals' })
  resolve(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<InstrumentEventView> {
    return this.resolution.resolve(operator.id, body);
  }

  @Post('distributions')
  @ApiOkResponse({ description: 'The distribution with its payout totals' })
  distribute(@CurrentPrincipal() operator: Principal, @Body() body: unknown): Promise<InstrumentEventView> {
    return this.resolution.declareDistribution(operator.id, body);
  }

  @Get('instrument-events/:eventRef')
  @ApiOkResponse({ description: 'A resolution or distribution with its payout totals' })
  event(@Param('eventRef', ParseUUIDPipe) eventRef: string): Promise<InstrumentEventView> {
    return this.resolution.get(eventRef);
  }

  @Get('instrument-events/:eventRef/payouts')
  @ApiOkResponse({ description: 'Payouts of an event by accountRef, a page at a time' })
  async payouts(@Param('eventRef', ParseUUIDPipe) eventRef: string, @Query() query: unknown): Promise<{ payouts: PayoutView[] }> {
    const page = PayoutPage.safeParse(query);
    if (!page.success) throw new ResolutionError(ResolutionErrorCode.BadRequest, 'after: an accountRef; limit: 1 to 1000');
    await this.resolution.get(eventRef);
    return { payouts: await this.resolution.payouts(eventRef, page.data.after ?? null, page.data.limit) };
  }
}
