// Sealing of SAR narratives. Unlike personal data (sealed under each person's key in the
// PersonalDataVault, destroyed on erasure), a suspicious activity report must be kept for the
// regulator even after its subject asks to be erased, so its grounds are sealed under the
// compliance register's own key (COMPLIANCE_DATA_KEY), bound to the SAR id.
import { Inject, Injectable } from '@nestjs/common';
import { open, seal } from '../auth/secret-box.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';

@Injectable()
export class SarSealer {
  constructor(@Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig) {}

  seal(sarId: string, narrative: string): Buffer {
    return seal(this.config.compliance.dataKey.reveal(), narrative, `sar:${sarId}`);
  }

  open(sarId: string, sealed: Buffer): string {
    return open(this.config.compliance.dataKey.reveal(), sealed, `sar:${sarId}`);
  }
}
