// Field types shared by every message. Amounts are decimal strings (never JS numbers), references
// are UUIDs, hashes are lowercase hex. Each carries a JSON Schema `format` so the PII guard and
// the generated JSON Schemas know which fields are numeric.
import { z } from 'zod';

export const DECIMAL_INTEGER_DIGITS_MAX = 30;
export const DECIMAL_FRACTION_DIGITS_MAX = 18;

const decimalPattern = new RegExp(`^-?(0|[1-9][0-9]{0,${DECIMAL_INTEGER_DIGITS_MAX - 1}})(\\.[0-9]{1,${DECIMAL_FRACTION_DIGITS_MAX}})?$`);
const positiveDecimalPattern = new RegExp(`^(0|[1-9][0-9]{0,${DECIMAL_INTEGER_DIGITS_MAX - 1}})(\\.[0-9]{1,${DECIMAL_FRACTION_DIGITS_MAX}})?$`);

/** A signed decimal string, e.g. "-12.50". */
export const Decimal = z.string().regex(decimalPattern, 'decimal string').meta({ format: 'decimal' });
/** A decimal string strictly greater than zero. */
export const PositiveDecimal = z
  .string()
  .regex(positiveDecimalPattern, 'non-negative decimal string')
  .refine((s) => /[1-9]/.test(s), 'must be greater than zero')
  .meta({ format: 'decimal' });
/** A decimal string greater than or equal to zero. */
export const NonNegativeDecimal = z.string().regex(positiveDecimalPattern, 'non-negative decimal string').meta({ format: 'decimal' });

export const Ref = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'lowercase UUID').meta({ format: 'uuid' });
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'sha-256 hex').meta({ format: 'sha256-hex' });
export const TxHash = z.string().regex(/^0x[0-9a-f]{64}$/, '0x-prefixed 32-byte hash');
export const ChainAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, '0x address');
export const Timestamp = z.iso.datetime({ offset: false, precision: 3 });
export const Currency = z.enum(['USD', 'LKR', 'EUR', 'GBP']);
export const Side = z.enum(['buy', 'sell']);
/** GTD (good till date) was added within v1: its intents carry their `expiresAt`. */
export const TimeInForce = z.enum(['GTC', 'IOC', 'FOK', 'GTD']);
export const SequenceNumber = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
