// The sanctions list fixtures (customer-stack/api/fixtures/sanctions, in the published formats)
// as list entries, for specs and integration tests.
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ListEntry } from '../../src/aml/screening/list-entry.js';
import { readOfacAliases, readOfacSdn, readOpenSanctions } from '../../src/aml/screening/list-parsers.js';

export const SANCTIONS_FIXTURES = fileURLToPath(new URL('../../fixtures/sanctions/', import.meta.url));

export async function fixtureEntries(): Promise<ListEntry[]> {
  const entries: ListEntry[] = [];
  for await (const e of readOpenSanctions(createReadStream(`${SANCTIONS_FIXTURES}targets.simple.csv`))) entries.push(e);
  const aliases = await readOfacAliases(createReadStream(`${SANCTIONS_FIXTURES}alt.csv`));
  for await (const e of readOfacSdn(createReadStream(`${SANCTIONS_FIXTURES}sdn.csv`), aliases)) entries.push(e);
  return entries;
}
