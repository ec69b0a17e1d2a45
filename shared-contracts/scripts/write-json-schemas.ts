// Writes schemas/<message>.json for every wall message from its zod schema (jsonSchemaOf), and
// removes files of messages that no longer exist. The files are committed; test/json-schemas.test.ts
// fails when they drift. Run: npm run schemas:write -w @bulwark/shared-contracts
import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { MESSAGE_TYPES, jsonSchemaOf } from '../src/messages/catalog.js';

export const SCHEMAS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

/** File name → exact file text (two-space JSON, trailing newline), in catalog order. */
export function renderJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const type of MESSAGE_TYPES) files.set(`${type}.json`, `${JSON.stringify(jsonSchemaOf(type), null, 2)}\n`);
  return files;
}

function main(): void {
  const files = renderJsonSchemas();
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  for (const stale of readdirSync(SCHEMAS_DIR).filter((name) => name.endsWith('.json') && !files.has(name))) {
    unlinkSync(path.join(SCHEMAS_DIR, stale));
    console.log(`removed schemas/${stale}`);
  }
  for (const [name, text] of files) writeFileSync(path.join(SCHEMAS_DIR, name), text);
  console.log(`wrote ${files.size} JSON Schemas to schemas/`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
