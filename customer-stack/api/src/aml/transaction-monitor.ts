// The entry point money calls with every ledger event, in the same transaction as the posting
// (tenant set): the event joins the customer's history and each rule it breaks raises an alert.
import { Inject, Injectable } from '@nestjs/common';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { AmlService } from './aml.service.js';
import type { MonitoredTransaction, MonitoringRule } from './monitoring-rules.js';

export type { MonitoredTransaction } from './monitoring-rules.js';

@Injectable()
export class TransactionMonitor {
  constructor(@Inject(AmlService) private readonly aml: AmlService) {}

  /** Returns the rules the event broke (each raised an alert). */
  observe(tx: SqlTx, event: MonitoredTransaction): Promise<MonitoringRule[]> {
    return this.aml.observe(tx, event);
  }

  /** Events in order, each judged after the ones before it; returns the rules each broke. */
  observeMany(tx: SqlTx, events: readonly MonitoredTransaction[]): Promise<MonitoringRule[][]> {
    return this.aml.observeMany(tx, events);
  }
}
