// Streams an export file through the verifier: chunks are split into lines by hand (no
// readline, whose per-line events cost more than the hashing), in constant memory.
import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { AUDIT_EXPORT_LINE_BYTES_MAX, AuditExportVerifier, type AnchoredBatch, type AuditExportReport } from '@bulwark/shared-contracts';

export const READ_CHUNK_BYTES = 4 << 20;

export interface Progress {
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly entries: number;
}

export async function verifyExportFile(path: string, anchors: readonly AnchoredBatch[], onProgress?: (progress: Progress) => void): Promise<AuditExportReport> {
  const bytesTotal = statSync(path).size;
  const verifier = new AuditExportVerifier(anchors);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let bytesRead = 0;
  let entries = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK_BYTES })) {
    bytesRead += (chunk as Buffer).length;
    const text = carry + decoder.write(chunk as Buffer);
    let start = 0;
    for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
      if (!verifier.push(text.slice(start, end))) return verifier.finish();
      entries += 1;
      start = end + 1;
    }
    carry = text.slice(start);
    if (carry.length > AUDIT_EXPORT_LINE_BYTES_MAX) {
      verifier.push(carry); // refused as too long
      return verifier.finish();
    }
    onProgress?.({ bytesRead, bytesTotal, entries });
  }
  carry += decoder.end();
  if (carry.length > 0) verifier.push(carry);
  return verifier.finish();
}
