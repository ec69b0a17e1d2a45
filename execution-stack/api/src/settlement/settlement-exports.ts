// What a settlement batch exports, as pure functions: the netted instructions, their canonical
// JSON and CSV with one content hash, and an ISO 20022 pain.001.001.09 customer credit
// transfer for the cash the platform pays out. The cash leg pays whole cents (half-even); the
// exact net stays in the JSON and CSV beside the paid amount, so nothing is lost unseen.
import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import { assert, canonicalDecimal, canonicalJson, decimal, roundMoney } from '@bulwark/shared-contracts';
import type { Instruction, NettingSums } from './settlement.views.js';

export const INSTRUCTIONS_PER_BATCH_MAX = 10_000;
export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

export interface BatchContent {
  readonly batchId: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly tradeCount: number;
  readonly instructions: readonly Instruction[];
}

/** One instruction per counterparty and currency, in a stable order. */
export function netInstructions(sums: readonly NettingSums[]): Instruction[] {
  assert(sums.length <= INSTRUCTIONS_PER_BATCH_MAX, 'instructions within the batch limit');
  const seen = new Set<string>();
  return [...sums]
    .sort((a, b) => (a.counterparty === b.counterparty ? a.currency.localeCompare(b.currency) : a.counterparty < b.counterparty ? -1 : 1))
    .map((s) => {
      const key = `${s.counterparty}/${s.currency}`;
      assert(!seen.has(key), 'one instruction per counterparty and currency');
      seen.add(key);
      const net = decimal(s.sold).minus(decimal(s.bought)).minus(decimal(s.fees)).plus(decimal(s.payouts));
      return {
        counterparty: s.counterparty, currency: s.currency, bought: canonicalDecimal(s.bought), sold: canonicalDecimal(s.sold),
        fees: canonicalDecimal(s.fees), payouts: canonicalDecimal(s.payouts), netAmount: canonicalDecimal(net), paymentAmount: roundMoney(net, s.currency, 'half_even'),
      };
    });
}

/** The canonical JSON of the content: what the hash and the operators' signatures cover. */
export function contentJson(content: BatchContent): string {
  return canonicalJson({
    batchId: content.batchId, periodStart: content.periodStart, periodEnd: content.periodEnd, tradeCount: content.tradeCount,
    instructions: content.instructions.map((i) => ({ ...i })),
  });
}

export function contentHash(content: BatchContent): string {
  return createHash('sha256').update(contentJson(content)).digest('hex');
}

export function exportJson(content: BatchContent): string {
  return JSON.stringify({ format: 'bulwark-settlement/1', contentHash: contentHash(content), content: JSON.parse(contentJson(content)) as unknown }, null, 2);
}

const CSV_COLUMNS = ['counterparty', 'currency', 'bought', 'sold', 'fees', 'payouts', 'netAmount', 'paymentAmount'] as const;

/** RFC 4180 CSV; every value is a reference or a decimal, so none needs quoting (asserted). */
export function exportCsv(content: BatchContent): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const i of content.instructions) {
    const values = CSV_COLUMNS.map((c) => i[c]);
    for (const v of values) assert(/^[0-9A-Za-z:._-]+$/.test(v), 'CSV values need no quoting');
    lines.push(values.join(','));
  }
  lines.push(`# batch ${content.batchId} period ${content.periodStart}/${content.periodEnd} trades ${content.tradeCount} content-sha256 ${contentHash(content)}`);
  return `${lines.join('\r\n')}\r\n`;
}

export interface Pain001Party {
  readonly debtorAccount: string;
  readonly debtorAgentBic: string;
  readonly createdAt: string;
  readonly executionDate: string;
}

/** A 35-character ISO 20022 identifier from a uuid (its hex digits). */
const isoId = (uuid: string): string => uuid.replaceAll('-', '').slice(0, 35);

/** pain.001.001.09: one payment information block paying every positive net (cash leg, USD). */
export function pain001(content: BatchContent, party: Pain001Party): string {
  const payments = content.instructions.filter((i) => decimal(i.paymentAmount).gt(decimal('0')));
  const controlSum = payments.reduce((sum, p) => sum.plus(decimal(p.paymentAmount)), decimal('0'));
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    Document: {
      '@_xmlns': PAIN001_NAMESPACE,
      CstmrCdtTrfInitn: {
        GrpHdr: {
          MsgId: isoId(content.batchId),
          CreDtTm: party.createdAt,
          NbOfTxs: String(payments.length),
          CtrlSum: roundMoney(controlSum, 'USD', 'half_even'),
          InitgPty: { Id: { OrgId: { Othr: { Id: party.debtorAccount } } } },
        },
        PmtInf: {
          PmtInfId: isoId(content.batchId),
          PmtMtd: 'TRF',
          NbOfTxs: String(payments.length),
          CtrlSum: roundMoney(controlSum, 'USD', 'half_even'),
          ReqdExctnDt: { Dt: party.executionDate },
          Dbtr: { Id: { OrgId: { Othr: { Id: party.debtorAccount } } } },
          DbtrAcct: { Id: { Othr: { Id: party.debtorAccount } }, Ccy: 'USD' },
          DbtrAgt: { FinInstnId: { BICFI: party.debtorAgentBic } },
          CdtTrfTxInf: payments.map((p) => ({
            PmtId: { EndToEndId: createHash('sha256').update(`${content.batchId}|${p.counterparty}|${p.currency}`).digest('hex').slice(0, 35) },
            Amt: { InstdAmt: { '@_Ccy': p.currency, '#text': p.paymentAmount } },
            Cdtr: { Id: { OrgId: { Othr: { Id: p.counterparty.replace(/[^0-9A-Za-z]/g, '').slice(0, 35) } } } },
            CdtrAcct: { Id: { Othr: { Id: p.counterparty.replace(/[^0-9A-Za-z]/g, '').slice(0, 34) } } },
            RmtInf: { Ustrd: `Bulwark settlement ${content.periodStart.slice(0, 10)}` },
          })),
        },
      },
    },
  };
  return builder.build(document) as string;
}
