// The inputs hash an allocation.v1 carries. Both stacks compute it with this one function: the
// execution stack from the pool it allocated, the customer stack from its own record of the
// intent (limit price, quantity still open before this allocation) plus the figures received.
// Equal hashes mean both sides agree on what was allocated against what; a different open
// quantity or limit on the customer side shows up as a mismatch, never as a silent booking.
import { hash } from 'node:crypto';
import { assert } from '../assert.js';
import { isDecimalText } from '../money/money.js';

/** Bumped if the hashed fields ever change; part of the hashed text. */
export const ALLOCATION_INPUTS_VERSION = 'allocation-inputs/1';

export interface AllocationInputs {
  readonly intentId: string;
  readonly accountRef: string;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  /** The intent's limit price. */
  readonly limitPrice: string;
  /** The intent's quantity still open before this allocation. */
  readonly openQuantity: string;
  readonly omnibusOrderRef: string;
  /** In the order the allocation lists them. */
  readonly fillRefs: readonly string[];
  readonly quantity: string;
  readonly notional: string;
  readonly fee: string;
  readonly remainingQuantity: string;
}

const PLAIN_TEXT = /^[0-9a-z-]{1,64}$/;

/** A reference or enum value: plain characters only, so its JSON spelling is itself in quotes. */
const text = (value: string): string => {
  assert(PLAIN_TEXT.test(value), 'a plain reference or enum value');
  return `"${value}"`;
};

/** The shortest spelling of a decimal by value, in quotes: "1.50" → "1.5", "-0.0" → "0" (as canonicalDecimal). */
const amount = (value: string): string => {
  assert(isDecimalText(value), 'a decimal string');
  let canonical = value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
  if (canonical === '-0') canonical = '0';
  return `"${canonical}"`;
};

/**
 * The canonical text: exactly what `canonicalJson` writes for these fields (keys sorted, no
 * whitespace, decimals by value), spelled out because the allocation hashes 100,000 of these
 * per fill and the generic walker costs more than the hash (the spec proves both agree).
 */
export function allocationInputsText(inputs: AllocationInputs): string {
  return (
    `{"accountRef":${text(inputs.accountRef)},"fee":${amount(inputs.fee)},"fillRefs":[${inputs.fillRefs.map(text).join(',')}],` +
    `"instrumentId":${text(inputs.instrumentId)},"intentId":${text(inputs.intentId)},"limitPrice":${amount(inputs.limitPrice)},` +
    `"notional":${amount(inputs.notional)},"omnibusOrderRef":${text(inputs.omnibusOrderRef)},"openQuantity":${amount(inputs.openQuantity)},` +
    `"quantity":${amount(inputs.quantity)},"remainingQuantity":${amount(inputs.remainingQuantity)},"side":${text(inputs.side)},` +
    `"v":"${ALLOCATION_INPUTS_VERSION}"}`
  );
}

/** sha-256 hex of the canonical inputs; decimals are compared by value ("1.50" = "1.5"). */
export function allocationInputsHash(inputs: AllocationInputs): string {
  return hash('sha256', allocationInputsText(inputs), 'hex');
}
