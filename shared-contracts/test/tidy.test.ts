// infra/scripts/tidy.mjs: the repository passes it, and each
// rule fires on a file that breaks it and stays quiet on the forms it allows.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIDY = path.join(ROOT, 'infra', 'scripts', 'tidy.mjs');
const ONLY = 'only';


function tidy(...roots: string[]): { status: number | null; violations: string[]; stdout: string } {
  const run = spawnSync(process.execPath, [TIDY, ...roots], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const violations = run.stderr.split('\n').filter((line) => /^[^\s:][^:]*:\d+: /.test(line));
  return { status: run.status, violations, stdout: run.stdout };
}

const scratch = mkdtempSync(path.join(tmpdir(), 'tidy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh directory holding the given files (path → content). */
function tree(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

describe('tidy on the repository', () => {
  it('finds nothing: the repository is tidy', () => {
    const { status, violations } = tidy();
    expect(violations).toEqual([]);
    expect(status).toBe(0);
  });
});

describe('tidy on a directory with one violation per file', () => {
  it.each([
    ['parseFloat(', 'ledger.service.ts', 'export const f = (a: string) => parseFloat(a);\n', /parseFloat/],
    ['.toFixed( in source', 'fx.service.ts', 'export const f = (a: number) => a.toFixed(2);\n', /toFixed/],
    // Assembled, so this file never holds a focused test itself.
    ['.only( in a spec', 'fx.service.spec.ts', `it.${ONLY}('runs alone', () => undefined);\n`, /\.only/],
    ['.only( in a describe', 'fx.test.ts', `describe.${ONLY}('alone', () => undefined);\n`, /\.only/],
    ['console.log in source', 'fx.controller.ts', "export const f = () => console.log('hi');\n", /console\.log/],
    [': any', 'fx.dto.ts', 'export const f = (a: any) => a;\n', /any/],
    ['as any', 'fx.mapper.ts', 'export const f = (a: unknown) => a as any;\n', /any/],
    ['a PascalCase file name', 'FxService.ts', 'export const f = 1;\n', /not kebab-case/],
    ['a snake_case file name', 'fx_service.ts', 'export const f = 1;\n', /not kebab-case/],
    ['a 181-character line', 'long.ts', `export const s = '${'x'.repeat(181 - 20)}';\n`, /line is 181 characters/],
  ])('%s fails with file:line', (_name, file, content, message) => {
    const dir = tree(`bad-${file}`, { [`src/${file}`]: content });
    const { status, violations } = tidy(dir);
    expect(status).toBe(1);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(new RegExp(`src/${file.replace(/\./g, '\\.')}:1: `));
    expect(violations[0]).toMatch(message);
  });

  it('lists every violation of a file with its line number', () => {
    const dir = tree('many', { 'src/money.service.ts': 'const a = 1;\nexport const b = parseFloat(String(a));\nexport const c = (x: any) => x;\n' });
    const { status, violations } = tidy(dir);
    expect(status).toBe(1);
    expect(violations.map((v) => v.replace(/^.*src\//, ''))).toEqual([
      expect.stringMatching(/^money\.service\.ts:2: parseFloat/),
      expect.stringMatching(/^money\.service\.ts:3: any/),
    ]);
  });
});

describe('tidy allows what the rules allow', () => {
  it('passes a directory of allowed forms', () => {
    const dir = tree('clean', {
      'src/fx.service.ts': [
        '// parseFloat( and console.log( and : any in a comment are prose, not code',
        "export const hint = 'never call parseFloat( or x.toFixed( on money; as any is banned';",
        '/*',
        ' * Block comments may mention a.toFixed(2) too.',
        ' */',
        'export const company = 1; // a name such as anything: any_thing is fine',
        `export const s = '${'x'.repeat(180 - 20)}';`,
        '',
      ].join('\n'),
      'src/fx.service.spec.ts': 'export const shown = (1.5).toFixed(1);\nconsole.log(shown);\n',
      'bench/fx.bench.ts': 'console.log((1.5).toFixed(1));\n',
      'scripts/write-fx.ts': "console.log('wrote');\n",
      'src/database/migrations/1763700000001-fx.ts': `export const sql = '${'x'.repeat(400)}';\n`,
      'node_modules/Bad_Dep/index.ts': 'export const x: any = parseFloat("1");\n',
      'dist/Out.js': 'console.log(parseFloat("1"));\n',
      'README.md': 'parseFloat(x) as any\n',
    });
    const { status, violations, stdout } = tidy(dir);
    expect(violations).toEqual([]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/files clean/);
  });

  it('refuses a root that is not a directory', () => {
    expect(tidy(path.join(scratch, 'does-not-exist')).status).toBe(2);
  });
});
