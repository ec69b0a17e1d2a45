// Generated artefacts are committed and checked: the JSON Schemas in schemas/ must be exactly
// what the zod schemas generate today.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

import { MESSAGE_TYPES } from '../src/messages/catalog.js';
import { SCHEMAS_DIR, renderJsonSchemas } from '../scripts/write-json-schemas.js';

const FIX = 'run `npm run schemas:write -w @bulwark/shared-contracts` and commit schemas/';
const expected = renderJsonSchemas();

describe('committed JSON Schemas (schemas/*.json)', () => {
  it('one file per catalog message', () => {
    expect([...expected.keys()]).toEqual(MESSAGE_TYPES.map((type) => `${type}.json`));
  });

  it.each([...expected.keys()].map((name) => [name]))('%s matches its zod schema', (name) => {
    const file = path.join(SCHEMAS_DIR, name);
    if (!existsSync(file)) throw new Error(`schemas/${name} is missing: ${FIX}`);
    if (readFileSync(file, 'utf8') !== expected.get(name)) throw new Error(`schemas/${name} differs from its zod schema: ${FIX}`);
  });

  it('no file for a message that is not in the catalog', () => {
    const extra = readdirSync(SCHEMAS_DIR).filter((name) => !expected.has(name));
    if (extra.length > 0) throw new Error(`schemas/ has files for no catalog message (${extra.join(', ')}): ${FIX}`);
  });

  it('each file is a draft 2020-12 schema that names its message and closes its objects', () => {
    for (const [name, text] of expected) {
      const schema = JSON.parse(text) as Record<string, unknown>;
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `https://bulwark.example/schemas/${name}`,
        title: name.replace(/\.json$/, ''),
        type: 'object',
        additionalProperties: false,
      });
    }
  });
});
