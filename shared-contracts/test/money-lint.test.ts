// The repository's lint config is part of the money and wall guarantees: prove it errors on money
// passing through a JS number and on imports across the wall, and stays quiet on the safe forms.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: path.join(ROOT, 'eslint.config.js') });

const CUSTOMER_FILE = path.join(ROOT, 'customer-stack/api/src/ledger/x.ts');
const EXECUTION_FILE = path.join(ROOT, 'execution-stack/api/src/allocation/x.ts');
const SHARED_FILE = path.join(ROOT, 'shared-contracts/src/money/x.ts');

/** Rule ids of the errors the repo's config reports on `code` as if it lived at `filePath`. */
async function errorsOf(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  expect(result).toBeDefined();
  return result!.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('money never passes through a JS number', () => {
  it.each([
    ['parseFloat(amount)', 'export const f = (amount: string) => parseFloat(amount);'],
    ['Number.parseFloat(x)', 'export const f = (x: string) => Number.parseFloat(x);'],
    ['amount.toFixed(2)', 'export const f = (amount: number) => amount.toFixed(2);'],
    ['Number(amount)', 'export const f = (amount: string) => Number(amount);'],
    ['Number(row.price)', 'export const f = (row: { price: string }) => Number(row.price);'],
    ['Number(totalUsd)', 'export const f = (totalUsd: string) => Number(totalUsd);'],
    ['Number(line.balance) inside arithmetic', 'export const f = (line: { balance: string }) => Number(line.balance) * 2;'],
  ])('errors on %s', async (_name, code) => {
    expect(await errorsOf(code, CUSTOMER_FILE)).toContain('no-restricted-syntax');
  });

  it.each([
    ['Number(count)', 'export const f = (count: string) => Number(count);'],
    ['Number(row.attempts)', 'export const f = (row: { attempts: string }) => Number(row.attempts);'],
    ['big.js arithmetic', "import Big from 'big.js';\nexport const f = (amount: string) => new Big(amount).times(new Big('1.5')).round(2, Big.roundHalfEven).toString();"],
    ['the shared money helpers', "import { roundMoney } from '@bulwark/shared-contracts';\nexport const f = (amount: string) => roundMoney(amount, 'USD', 'half_even');"],
  ])('does not error on %s', async (_name, code) => {
    expect(await errorsOf(code, CUSTOMER_FILE)).toEqual([]);
  });

  it('applies in the execution stack and in shared-contracts too', async () => {
    expect(await errorsOf('export const f = (a: string) => parseFloat(a);', EXECUTION_FILE)).toContain('no-restricted-syntax');
    expect(await errorsOf('export const f = (fee: number) => fee.toFixed(2);', SHARED_FILE)).toContain('no-restricted-syntax');
  });
});

describe('the wall: the stacks never import each other', () => {
  it.each([
    ['the execution API package from the customer stack', "import x from '@bulwark/execution-api';\nexport default x;", CUSTOMER_FILE],
    ['the engine from the customer stack', "import { x } from '@bulwark/engine';\nexport default x;", CUSTOMER_FILE],
    ['an execution-stack file by relative path from the customer stack', "import x from '../../../../execution-stack/api/src/app.js';\nexport default x;", CUSTOMER_FILE],
    ['a customer-stack file by relative path from the execution stack', "import y from '../../customer-stack/api/src/app.js';\nexport default y;", EXECUTION_FILE],
    ['the customer API package from the execution stack', "import y from '@bulwark/customer-api';\nexport default y;", EXECUTION_FILE],
    ['either stack from shared-contracts', "import y from '@bulwark/customer-api';\nexport default y;", SHARED_FILE],
  ])('errors on %s', async (_name, code, filePath) => {
    expect(await errorsOf(code, filePath)).toContain('no-restricted-imports');
  });

  it.each([
    ['shared-contracts in the customer stack', CUSTOMER_FILE],
    ['shared-contracts in the execution stack', EXECUTION_FILE],
  ])('allows %s', async (_name, filePath) => {
    const code = [
      "import { signEnvelope } from '@bulwark/shared-contracts';",
      "import { WallModule } from '@bulwark/shared-contracts/platform';",
      'export { signEnvelope, WallModule };',
    ].join('\n');
    expect(await errorsOf(code, filePath)).toEqual([]);
  });
});
