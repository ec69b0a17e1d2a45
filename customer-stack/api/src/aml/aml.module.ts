// AML: screening, monitoring, the review queue and the SAR register. Exports the services other
// modules call (money: screenBeneficiary, isFrozen, TransactionMonitor.observe; KYC: screening
// at onboarding).
import { Module } from '@nestjs/common';
import { AmlService } from './aml.service.js';
import { SarSealer } from './sar-sealer.js';
import { TransactionMonitor } from './transaction-monitor.js';

@Module({ providers: [AmlService, TransactionMonitor, SarSealer], exports: [AmlService, TransactionMonitor] })
export class AmlModule {}
