// Sealing of compliance personal data (KYC identity data, screening explanations, SAR
// narratives), in the caller's transaction. This is the one place to switch to the tenancy
// module's PersonalDataVault (per-person keys, erasure by key destruction) once it lands: the
// signatures are the vault's. Until then it seals with AES-256-GCM under COMPLIANCE_DATA_KEY,
// bound to the subject (the AAD), so a sealed value cannot be moved to another person's row.
import { Inject, Injectable } from '@nestjs/common';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { open, seal } from '../auth/secret-box.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';

@Injectable()
export class PersonalDataSealer {
  constructor(@Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig) {}

  async seal(_tx: SqlTx, subjectId: string, plaintext: string): Promise<Buffer> {
    return seal(this.config.compliance.dataKey.reveal(), plaintext, `compliance:${subjectId}`);
  }

  /** The plaintext, or null when it can no longer be opened (erased). */
  async open(_tx: SqlTx, subjectId: string, sealed: Buffer): Promise<string | null> {
    return open(this.config.compliance.dataKey.reveal(), sealed, `compliance:${subjectId}`);
  }
}
