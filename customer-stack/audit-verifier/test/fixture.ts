// Deterministic audit chains and their exports, for the CLI test and the benchmark.
import { writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import {
  AUDIT_EXPORT_FORMAT, AUDIT_GENESIS_HASH, MerkleFrontier, auditEntryHash, auditExportEntryLine, auditExportHeaderLine, merkleLeafHash,
  type AuditExportEntry,
} from '@bulwark/shared-contracts';

type Fields = AuditExportEntry['fields'];

/** Fields shaped like the customer stack's entries; a counter-based generator, so runs are identical. */
export function customerFields(seq: number): Fields {
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  const id = (n: number) => `${hex(n * 2654435761)}-${hex(n).slice(4)}-4${hex(n * 7).slice(5)}-8${hex(n * 13).slice(5)}-${hex(n * 31)}${hex(n * 17).slice(4)}`;
  return {
    seq: String(seq),
    time: new Date(Date.UTC(2026, 0, 1) + seq * 1_000).toISOString(),
    tenantId: id(seq % 7 + 1),
    actor: `user:${id(seq % 997 + 11)}`,
    role: seq % 5 === 0 ? 'finance_ops' : 'investor',
    onBehalfOf: null,
    action: seq % 3 === 0 ? 'ledger.posting.created' : 'order.intent.submitted',
    resource: `ledger_transaction:${id(seq + 101)}`,
    diff: { amount: `${seq % 10_000}.${String(seq % 100).padStart(2, '0')}`, currency: 'LKR' },
  };
}

export function chainOf(fields: readonly Fields[]): AuditExportEntry[] {
  let prevHash = AUDIT_GENESIS_HASH;
  return fields.map((f, i) => {
    const hash = auditEntryHash(prevHash, f);
    const entry = { seq: BigInt(i + 1), prevHash, hash, fields: f };
    prevHash = hash;
    return entry;
  });
}

/** RFC 9162 roots of the log at each batch end (what the anchoring job sends). */
export function batchRoots(entries: readonly AuditExportEntry[], batchSizes: readonly number[]): string[] {
  const frontier = new MerkleFrontier();
  const roots: string[] = [];
  let end = 0;
  for (const size of batchSizes) {
    for (const entry of entries.slice(end, end + size)) frontier.append(merkleLeafHash(Buffer.from(entry.hash, 'hex')));
    end += size;
    roots.push(frontier.root().toString('hex'));
  }
  return roots;
}

export function headerLine(count: number): string {
  return auditExportHeaderLine({ format: AUDIT_EXPORT_FORMAT, log: 'customer', fromSeq: '1', toSeq: String(count), exportedAt: '2026-01-01T00:00:00.000Z' });
}

export function writeExport(path: string, entries: readonly AuditExportEntry[]): void {
  writeFileSync(path, `${[headerLine(entries.length), ...entries.map(auditExportEntryLine)].join('\n')}\n`);
}

/**
 * Streams a large export to `path` without holding it in memory; returns the roots at every
 * `batchSize` entries (the chain's anchors) and the bytes written.
 */
export async function writeLargeExport(path: string, count: number, batchSize: number): Promise<{ roots: string[]; batchSizes: number[] }> {
  const out = createWriteStream(path);
  const frontier = new MerkleFrontier();
  const roots: string[] = [];
  const batchSizes: number[] = [];
  let buffer = `${headerLine(count)}\n`;
  let prevHash = AUDIT_GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const fields = customerFields(seq);
    const hash = auditEntryHash(prevHash, fields);
    buffer += `${auditExportEntryLine({ seq: BigInt(seq), prevHash, hash, fields })}\n`;
    prevHash = hash;
    frontier.append(merkleLeafHash(Buffer.from(hash, 'hex')));
    if (seq % batchSize === 0) {
      roots.push(frontier.root().toString('hex'));
      batchSizes.push(batchSize);
    }
    if (buffer.length > 1 << 20 && !out.write(buffer)) {
      buffer = '';
      await once(out, 'drain');
    } else if (buffer.length > 1 << 20) {
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return { roots, batchSizes };
}
