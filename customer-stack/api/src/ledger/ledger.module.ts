import { Module } from '@nestjs/common';
import { LedgerService } from './ledger.service.js';

/** The double-entry ledger; AUDIT_WRITER comes from the audit module. */
@Module({ providers: [LedgerService], exports: [LedgerService] })
export class LedgerModule {}
