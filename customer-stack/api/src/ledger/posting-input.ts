// PostingInput.parse without zod's generic machinery for the common case. A posting crosses the
// ledger's boundary once per call, thousands of times per second under group commit, and zod's
// walk of a strict nested object was one of the larger costs per posting. An input of exactly the
// schema's shape (plain objects holding only its keys, every field within its limits) is checked
// here by hand and copied; anything else goes to zod, which accepts it or throws its own error.
// The hand check accepts a subset of what zod accepts (posting-input.spec.ts holds the two to the
// same answer on generated input), so callers see zod's behaviour either way.
import { DECIMAL_FRACTION_DIGITS_MAX, DECIMAL_INTEGER_DIGITS_MAX } from '@bulwark/shared-contracts';
import {
  ACCOUNT_KINDS, CURRENCY_UNITS, CUSTOMER_ACCOUNT_KINDS, IDEMPOTENCY_KEY_LENGTH_MAX, LEGS_PER_POSTING_MAX, POSTING_KINDS, PostingInput,
  REFERENCE_LENGTH_MAX, type AccountKey, type AccountKind, type Leg, type Posting,
} from './ledger.types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const POSITIVE_DECIMAL = new RegExp(`^(0|[1-9][0-9]{0,${DECIMAL_INTEGER_DIGITS_MAX - 1}})(\\.[0-9]{1,${DECIMAL_FRACTION_DIGITS_MAX}})?$`);
const NON_ZERO_DIGIT = /[1-9]/;
const POSTING_KIND_SET: ReadonlySet<string> = new Set(POSTING_KINDS);
const ACCOUNT_KIND_SET: ReadonlySet<string> = new Set(ACCOUNT_KINDS);
const CURRENCY_SET: ReadonlySet<string> = new Set(CURRENCY_UNITS);
const LEGS_PER_POSTING_MIN = 2;

/** Validates and copies a posting: the same result as PostingInput.parse, and the same ZodError for bad input. */
export function parsePosting(input: PostingInput): Posting {
  return fastPosting(input) ?? PostingInput.parse(input);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** True when the object's own enumerable keys are all among `allowed` and it has `required` of them. */
function hasOnlyKeys(value: Record<string, unknown>, allowed: readonly string[], required: number): boolean {
  const keys = Object.keys(value);
  if (keys.length < required || keys.length > allowed.length) return false;
  for (const key of keys) if (!allowed.includes(key)) return false;
  return true;
}

const POSTING_KEYS = ['tenantId', 'idempotencyKey', 'kind', 'reference', 'legs'] as const;
const LEG_KEYS = ['account', 'side', 'amount'] as const;
const ACCOUNT_KEYS = ['kind', 'ownerRef', 'unit'] as const;

/** The copy of a posting of exactly the schema's shape, or undefined to leave the verdict to zod. */
function fastPosting(input: unknown): Posting | undefined {
  if (!isPlainObject(input) || !hasOnlyKeys(input, POSTING_KEYS, POSTING_KEYS.length - 1)) return undefined;
  const { tenantId, idempotencyKey, kind, legs } = input;
  const reference = input.reference === undefined ? null : input.reference;
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) return undefined;
  if (typeof idempotencyKey !== 'string' || idempotencyKey.length < 1 || idempotencyKey.length > IDEMPOTENCY_KEY_LENGTH_MAX) return undefined;
  if (typeof kind !== 'string' || !POSTING_KIND_SET.has(kind)) return undefined;
  if (reference !== null && (typeof reference !== 'string' || reference.length > REFERENCE_LENGTH_MAX)) return undefined;
  if (!Array.isArray(legs) || legs.length < LEGS_PER_POSTING_MIN || legs.length > LEGS_PER_POSTING_MAX) return undefined;
  const copied: Leg[] = [];
  for (const leg of legs as unknown[]) {
    const copy = fastLeg(leg);
    if (!copy) return undefined;
    copied.push(copy);
  }
  return { tenantId, idempotencyKey, kind: kind as Posting['kind'], reference, legs: copied };
}

function fastLeg(leg: unknown): Leg | undefined {
  if (!isPlainObject(leg) || !hasOnlyKeys(leg, LEG_KEYS, LEG_KEYS.length)) return undefined;
  const { side, amount } = leg;
  if (side !== 'debit' && side !== 'credit') return undefined;
  if (typeof amount !== 'string' || !POSITIVE_DECIMAL.test(amount) || !NON_ZERO_DIGIT.test(amount)) return undefined;
  const account = fastAccount(leg.account);
  return account && { account, side, amount };
}

function fastAccount(account: unknown): AccountKey | undefined {
  if (!isPlainObject(account) || !hasOnlyKeys(account, ACCOUNT_KEYS, ACCOUNT_KEYS.length)) return undefined;
  const { kind, ownerRef, unit } = account;
  if (typeof kind !== 'string' || !ACCOUNT_KIND_SET.has(kind)) return undefined;
  if (ownerRef !== null && (typeof ownerRef !== 'string' || !UUID.test(ownerRef))) return undefined;
  if (typeof unit !== 'string' || !(CURRENCY_SET.has(unit) || UUID.test(unit))) return undefined;
  if (CUSTOMER_ACCOUNT_KINDS.has(kind as AccountKind) !== (ownerRef !== null)) return undefined;
  return { kind: kind as AccountKind, ownerRef, unit: unit as AccountKey['unit'] };
}
