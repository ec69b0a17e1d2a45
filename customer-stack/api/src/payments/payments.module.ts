import { Module } from '@nestjs/common';
import { AmlModule } from '../aml/aml.module.js';
import { FxModule } from '../fx/fx.module.js';
import { KycModule } from '../kyc/kyc.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { PAYMENT_PROVIDERS, type PaymentProvider } from './payment-provider.js';
import { PaymentsController, PaymentsWebhookController } from './payments.controller.js';
import { PaymentsService } from './payments.service.js';
import { SandboxPaymentProvider } from './sandbox-payment-provider.js';

/** Deposits and withdrawals; the sandbox payment provider until a real one is configured. */
@Module({
  imports: [LedgerModule, FxModule, KycModule, AmlModule],
  controllers: [PaymentsController, PaymentsWebhookController],
  providers: [
    SandboxPaymentProvider,
    { provide: PAYMENT_PROVIDERS, useFactory: (sandbox: SandboxPaymentProvider): PaymentProvider[] => [sandbox], inject: [SandboxPaymentProvider] },
    PaymentsService,
  ],
  exports: [PaymentsService],
})
export class PaymentsModule {}
