// Investors ask for a quote to convert their own money; the quote id is then given to the
// deposit or withdrawal that uses it.
import { Body, Controller, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { PositiveDecimal } from '@bulwark/shared-contracts';
import { CurrentPrincipal, Permissions, type Principal } from '../auth/permissions.decorator.js';
import { FxError } from './fx.errors.js';
import { FxService, type FxQuote } from './fx.service.js';
import { FX_CURRENCIES } from './rate-provider.js';

const QuoteBody = z.strictObject({ sell: z.enum(FX_CURRENCIES), buy: z.enum(FX_CURRENCIES), sellAmount: PositiveDecimal });

@Controller('v1/fx')
export class FxController {
  constructor(@Inject(FxService) private readonly fx: FxService) {}

  @Post('quotes')
  @Permissions('fx:quote')
  async quote(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<Omit<FxQuote, 'expiresAt'> & { expiresAt: string }> {
    const parsed = QuoteBody.safeParse(body ?? {});
    if (!parsed.success) throw new FxError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    if (!principal.accountRef) throw new FxError('quote_foreign', 'Only an investor account converts money.');
    const quote = await this.fx.quote(
      { tenantId: principal.tenantId, ownerRef: principal.accountRef, ...parsed.data },
      { actor: `user:${principal.userId}`, role: 'investor' },
    );
    return { ...quote, expiresAt: quote.expiresAt.toISOString() };
  }
}
