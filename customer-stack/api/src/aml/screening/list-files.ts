// Reads a set of published list files into entries: OpenSanctions targets.simple.csv and/or the
// OFAC SDN pair (sdn.csv + alt.csv). Files are streamed and hashed as they are read, so an
// import records exactly which bytes it came from.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { ListEntry } from './list-entry.js';
import { ListFormatError, readOfacAliases, readOfacSdn, readOpenSanctions, type ParseStats } from './list-parsers.js';

export interface ListFiles {
  readonly openSanctions?: string | undefined;
  readonly ofacSdn?: string | undefined;
  readonly ofacAlt?: string | undefined;
}

export interface ReadLists {
  readonly entries: ListEntry[];
  readonly sources: Record<string, { file: string; sha256: string; rows: number; entries: number; skipped: number }>;
}

function hashed(path: string): { stream: PassThrough; digest: () => string } {
  const hash = createHash('sha256');
  const stream = new PassThrough();
  const file = createReadStream(path);
  file.on('data', (chunk) => hash.update(chunk));
  file.on('error', (error) => stream.destroy(error));
  file.pipe(stream);
  return { stream, digest: () => hash.digest('hex') };
}

export async function readListFiles(files: ListFiles): Promise<ReadLists> {
  if (!files.openSanctions && !files.ofacSdn) throw new ListFormatError('(none)', 0, 'give an OpenSanctions file, an OFAC SDN file, or both');
  if (Boolean(files.ofacSdn) !== Boolean(files.ofacAlt)) throw new ListFormatError(files.ofacSdn ?? files.ofacAlt ?? '', 0, 'the OFAC SDN list needs both sdn.csv and alt.csv');
  const entries = new Map<string, ListEntry>();
  const sources: ReadLists['sources'] = {};
  if (files.openSanctions) {
    const stats: ParseStats = { rows: 0, entries: 0, skipped: 0 };
    const { stream, digest } = hashed(files.openSanctions);
    for await (const entry of readOpenSanctions(stream, stats)) entries.set(entry.id, entry);
    sources.opensanctions = { file: files.openSanctions, sha256: digest(), ...stats };
  }
  if (files.ofacSdn && files.ofacAlt) {
    const alt = hashed(files.ofacAlt);
    const aliases = await readOfacAliases(alt.stream);
    sources.ofacAlt = { file: files.ofacAlt, sha256: alt.digest(), rows: [...aliases.values()].reduce((n, a) => n + a.length, 0), entries: aliases.size, skipped: 0 };
    const stats: ParseStats = { rows: 0, entries: 0, skipped: 0 };
    const sdn = hashed(files.ofacSdn);
    for await (const entry of readOfacSdn(sdn.stream, aliases, stats)) entries.set(entry.id, entry);
    sources.ofacSdn = { file: files.ofacSdn, sha256: sdn.digest(), ...stats };
  }
  return { entries: [...entries.values()], sources };
}
