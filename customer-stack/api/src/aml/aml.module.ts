// AML: screening, monitoring, the review queue and the SAR register. Exports the services other
// modules call (money: screenBeneficiary, isFrozen, TransactionMonitor.observe; KYC: screening
// at onboarding) and the sealer compliance modules share.
import { Module } from '@nestjs/common';
import { PersonalDataSealer } from '../compliance/personal-data-sealer.js';
import { AmlService } from './aml.service.js';
import { TransactionMonitor } from './transaction-monitor.js';

@Module({ providers: [AmlService, TransactionMonitor, PersonalDataSealer], exports: [AmlService, TransactionMonitor, PersonalDataSealer] })
export class AmlModule {}
