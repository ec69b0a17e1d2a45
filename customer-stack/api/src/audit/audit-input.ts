// What a caller hands the audit chain, and the checks it must pass before it is hashed: plain
// JSON (so the stored jsonb and the hashed bytes agree), no secrets, no raw personal data.
import { canonicalJson, detectPii, type CanonicalValue } from '@bulwark/shared-contracts';
import { AuditError } from './audit.errors.js';
import { AUDIT_ACTION_LENGTH_MAX, AUDIT_ACTOR_LENGTH_MAX, AUDIT_DIFF_BYTES_MAX, AUDIT_RESOURCE_LENGTH_MAX } from './audit-limits.js';

export interface AuditInput {
  /** Null for platform-level entries. */
  readonly tenantId: string | null;
  /** Who acted: `user:<uuid>`, `system:<component>`, `migration:<name>`... */
  readonly actor: string;
  readonly role: string;
  readonly onBehalfOf?: string;
  /** `<domain>.<thing>.<past-tense verb>`, e.g. `ledger.posting.created`. */
  readonly action: string;
  /** `<kind>:<id>`, e.g. `ledger_transaction:<uuid>`. */
  readonly resource: string;
  /** What changed. Never secrets or raw personal data (checked). */
  readonly diff?: Record<string, unknown>;
}

/** Who acts, for services that record on someone's behalf. */
export interface AuditActor {
  readonly actor: string;
  readonly role: string;
  readonly onBehalfOf?: string;
}

export interface CheckedAuditInput {
  readonly tenantId: string | null;
  readonly actor: string;
  readonly role: string;
  readonly onBehalfOf: string | null;
  readonly action: string;
  readonly resource: string;
  readonly diff: { readonly [key: string]: CanonicalValue };
  readonly diffJson: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_-]+)+$/;
const ROLE = /^[a-z][a-z0-9_]{0,39}$/;
/** Keys (normalised: lower case, no `_` or `-`) whose value is a secret. */
const SECRET_KEY = /(password|passwd|passphrase|secret|apikey|privatekey|mnemonic|totp|^otp|^pin$|^cvv$|^token$|accesstoken$|refreshtoken$|sessiontoken$)/;
/** Keys whose numeric-looking values are quantities, not identifiers (the PII guard does not read them as phone or ID numbers). */
const NUMERIC_KEY = /(amount|quantity|price|rate|fee|notional|balance|limit|total|count|seq|tier|minor|usd|lkr|score|bps|version)$/;
const DEPTH_MAX = 16;

const normalise = (key: string) => key.toLowerCase().replaceAll(/[_-]/g, '');

function text(value: unknown, field: string, max: number, pattern?: RegExp): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || (pattern && !pattern.test(value))) {
    throw new AuditError('invalid_entry', field);
  }
  return value;
}

/** A diff that passed its checks, with its canonical JSON. */
export interface CheckedDiff {
  readonly diff: { readonly [key: string]: CanonicalValue };
  readonly diffJson: string;
}

/**
 * Validates one entry; throws AuditError naming the field or path, never the value. Entries of one
 * batch that share a diff object (a ledger batch's postings of one kind) have it checked once:
 * pass the same `checkedDiffs` map for the whole batch, which is checked synchronously, so a
 * shared object cannot change between its entries.
 */
export function checkAuditInput(input: AuditInput, checkedDiffs?: Map<object, CheckedDiff>): CheckedAuditInput {
  if (input.tenantId !== null && (typeof input.tenantId !== 'string' || !UUID.test(input.tenantId))) throw new AuditError('invalid_entry', 'tenantId');
  const { diff, diffJson } = checkedDiffOf(input.diff ?? {}, checkedDiffs);
  return {
    tenantId: input.tenantId,
    actor: text(input.actor, 'actor', AUDIT_ACTOR_LENGTH_MAX),
    role: text(input.role, 'role', 40, ROLE),
    onBehalfOf: input.onBehalfOf === undefined ? null : text(input.onBehalfOf, 'onBehalfOf', AUDIT_ACTOR_LENGTH_MAX),
    action: text(input.action, 'action', AUDIT_ACTION_LENGTH_MAX, ACTION),
    resource: text(input.resource, 'resource', AUDIT_RESOURCE_LENGTH_MAX),
    diff,
    diffJson,
  };
}

function checkedDiffOf(raw: Record<string, unknown>, checkedDiffs: Map<object, CheckedDiff> | undefined): CheckedDiff {
  const known = checkedDiffs?.get(raw);
  if (known) return known;
  const diff = plainJson(raw, '$', 0);
  if (diff === null || typeof diff !== 'object' || Array.isArray(diff)) throw new AuditError('diff_not_plain_json', '$');
  const diffJson = canonicalJson(diff);
  if (Buffer.byteLength(diffJson) > AUDIT_DIFF_BYTES_MAX) throw new AuditError('diff_too_large');
  const numericPaths = numericPathsOf(diff as Record<string, CanonicalValue>);
  const [finding] = detectPii(diff, { numericPaths });
  if (finding) throw new AuditError('diff_contains_personal_data', `${finding.path} (${finding.entity})`);
  const checked: CheckedDiff = { diff: diff as { readonly [key: string]: CanonicalValue }, diffJson };
  checkedDiffs?.set(raw, checked);
  return checked;
}

function plainJson(value: unknown, path: string, depth: number): CanonicalValue {
  if (depth > DEPTH_MAX) throw new AuditError('diff_not_plain_json', path);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    if (typeof value === 'string' && value.includes('\u0000')) throw new AuditError('diff_not_plain_json', path);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new AuditError('diff_not_plain_json', path);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => plainJson(item, `${path}[${index}]`, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, CanonicalValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (SECRET_KEY.test(normalise(key))) throw new AuditError('diff_contains_secret', `${path}.${key}`);
      out[key] = plainJson(item, `${path}.${key}`, depth + 1);
    }
    return out;
  }
  throw new AuditError('diff_not_plain_json', path);
}

function numericPathsOf(diff: Record<string, CanonicalValue>): string[] {
  const paths: string[] = [];
  const visit = (value: CanonicalValue, path: string, depth: number) => {
    if (depth > 3 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, `${path}[]`, depth + 1);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (NUMERIC_KEY.test(normalise(key))) paths.push(`${path}.${key}`);
      visit(item, `${path}.${key}`, depth + 1);
    }
  };
  visit(diff, '$', 0);
  return paths;
}
