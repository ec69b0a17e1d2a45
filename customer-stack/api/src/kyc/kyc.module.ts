// KYC: the provider behind a breaker, our own rules, tiers and limits. The sandbox provider is
// bound here; a real vendor's adapter replaces it under the same KYC_PROVIDER token.
import { Module } from '@nestjs/common';
import { AmlModule } from '../aml/aml.module.js';
import { KycController } from './kyc.controller.js';
import { KYC_PROVIDER, SandboxKycProvider } from './kyc-provider.js';
import { KycService } from './kyc.service.js';

@Module({
  imports: [AmlModule],
  controllers: [KycController],
  providers: [KycService, { provide: KYC_PROVIDER, useFactory: () => new SandboxKycProvider() }],
  exports: [KycService],
})
export class KycModule {}
