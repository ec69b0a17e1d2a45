// The PII guard: one walk over a parsed JSON value that reports where personal data appears
// ({ path, entity }, never the value). Keys are judged by exact normalised name, strings by
// free-text patterns (see text-scan.ts). Run after strict schema validation, before the handler,
// on both sides of the wall and in both directions.

import { BIT_DATE_OF_BIRTH, PII_ENTITIES, type PiiEntity } from './pii-entity.js';
import { KEY_RULES, normaliseKey, type KeyRule } from './pii-keys.js';
import { scanInteger, scanText } from './text-scan.js';

export type { PiiEntity } from './pii-entity.js';

export interface PiiFinding {
  /** JSON path such as `$.customer.contacts[2].email`; a key that itself holds personal data shows as `["<redacted>"]`. */
  readonly path: string;
  readonly entity: PiiEntity;
}

export interface PiiGuardOptions {
  /**
   * Schema-declared numeric or amount fields, as paths with `[]` for array items
   * (`$.fills[].quantity`). A numeric-looking value there is not scanned as free text (cards,
   * NICs, SSNs, phones); key rules still apply, so a number under a phone or DOB key is flagged.
   */
  readonly numericPaths?: ReadonlySet<string> | readonly string[];
}

/** Limits of one walk. Exceeding one throws PiiGuardError: an unscanned payload never passes. */
export const PII_GUARD_LIMITS = Object.freeze({
  /** Nesting depth of objects and arrays below the root. */
  depthMax: 32,
  /** Values visited (containers and leaves), about 1,000 times a realistic 1 KB message. */
  nodesMax: 50_000,
  /** Distinct keys whose normalisation is cached (the cache stops growing past this). */
  keyCacheSizeMax: 4_096,
});

export type PiiGuardErrorCode = 'depth_limit_exceeded' | 'node_limit_exceeded' | 'unsupported_value';

/**
 * The guard could not scan the whole value, so it refuses it (fail closed). Callers treat it as a
 * rejection of the payload (the envelope verifier: `pii`). The message carries the path only.
 */
export class PiiGuardError extends Error {
  override readonly name = 'PiiGuardError';
  constructor(
    readonly code: PiiGuardErrorCode,
    readonly path: string,
  ) {
    super(`PII guard refused the payload: ${code} at ${path}`);
  }
}

/** Every finding in `value`, in walk order, at most one per (path, entity). Throws PiiGuardError past a limit. */
export function detectPii(value: unknown, options?: PiiGuardOptions): PiiFinding[] {
  const walk = new Walk(compileNumericPaths(options?.numericPaths), false);
  walk.visit(value, 0, null, walk.numericRoot);
  return walk.findings ?? [];
}

/** Whether `value` holds any personal data; stops at the first finding. Throws PiiGuardError past a limit. */
export function containsPii(value: unknown, options?: PiiGuardOptions): boolean {
  const walk = new Walk(compileNumericPaths(options?.numericPaths), true);
  return walk.visit(value, 0, null, walk.numericRoot);
}

// ---------------------------------------------------------------------------------------------
// Keys

interface KeyInfo {
  /** The rule the key's own name triggers, if any. */
  readonly rule: KeyRule | null;
  /** Entity bits found in the key text itself (an email used as a map key, say). */
  readonly keyBits: number;
  /** The path segment for this key, redacted when the key itself is personal data. */
  readonly segment: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const REDACTED_SEGMENT = '["<redacted>"]';
const keyCache = new Map<string, KeyInfo>();

function keyInfoOf(key: string): KeyInfo {
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached;
  const keyBits = scanText(key);
  const info: KeyInfo = {
    rule: KEY_RULES.get(normaliseKey(key)) ?? null,
    keyBits,
    segment: keyBits !== 0 ? REDACTED_SEGMENT : IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`,
  };
  if (keyCache.size < PII_GUARD_LIMITS.keyCacheSizeMax) keyCache.set(key, info);
  return info;
}

// ---------------------------------------------------------------------------------------------
// Numeric paths, compiled into a trie walked alongside the value

interface NumericNode {
  readonly keys: Map<string, NumericNode>;
  items: NumericNode | null;
  terminal: boolean;
}

function numericNode(): NumericNode {
  return { keys: new Map(), items: null, terminal: false };
}

const compiledNumericPaths = new WeakMap<object, NumericNode>();

/** Parses `$`, `$.a`, `$.a[].b`, ... into the trie below `root`. */
function addNumericPath(root: NumericNode, path: string): void {
  if (!path.startsWith('$')) throw new TypeError(`numeric path must start with $: ${path}`);
  let node = root;
  let i = 1;
  while (i < path.length) {
    if (path.startsWith('[]', i)) {
      node.items ??= numericNode();
      node = node.items;
      i += 2;
    } else if (path.charCodeAt(i) === 46 /* . */) {
      let end = i + 1;
      while (end < path.length && path.charCodeAt(end) !== 46 && path.charCodeAt(end) !== 91 /* [ */) end++;
      if (end === i + 1) throw new TypeError(`numeric path has an empty key: ${path}`);
      const key = path.slice(i + 1, end);
      let child = node.keys.get(key);
      if (child === undefined) {
        child = numericNode();
        node.keys.set(key, child);
      }
      node = child;
      i = end;
    } else {
      throw new TypeError(`numeric path is not of the form $.a[].b: ${path}`);
    }
  }
  node.terminal = true;
}

function compileNumericPaths(paths: ReadonlySet<string> | readonly string[] | undefined): NumericNode | null {
  if (paths === undefined) return null;
  const cached = compiledNumericPaths.get(paths);
  if (cached !== undefined) return cached;
  const root = numericNode();
  for (const path of paths) addNumericPath(root, path);
  compiledNumericPaths.set(paths, root);
  return root;
}

/** Digits, sign, decimal point and exponent only: what a schema-declared numeric field holds. */
function isNumericLooking(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69;
    if (!ok) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Values under personal-data keys

const CHAR_CLASS_LETTER = 1;
const CHAR_CLASS_DIGIT = 2;

/** Whether the string has a letter (ASCII, or any non-ASCII character) and/or a digit, as bits. */
function charClasses(s: string): number {
  let classes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) classes |= CHAR_CLASS_DIGIT;
    else if (((c | 32) >= 97 && (c | 32) <= 122) || c > 127) classes |= CHAR_CLASS_LETTER;
  }
  return classes;
}

/** An on-chain address rather than a postal one: 0x-hex, or one long alphanumeric token (base58, bech32). */
function isCryptoAddressShape(s: string): boolean {
  if (/^0x[0-9a-fA-F]*$/.test(s)) return true;
  return s.length >= 25 && s.length <= 100 && /^[A-Za-z0-9]+$/.test(s);
}

function stringMatchesRule(rule: KeyRule, s: string): boolean {
  const text = s.trim();
  if (text.length === 0) return false;
  switch (rule.shape) {
    case 'text':
    case 'postcode':
      return true;
    case 'phone':
    case 'date':
      return (charClasses(text) & CHAR_CLASS_DIGIT) !== 0;
    case 'document':
      return (charClasses(text) & (CHAR_CLASS_DIGIT | CHAR_CLASS_LETTER)) !== 0;
    case 'postal':
      return !isCryptoAddressShape(text);
  }
}

function numberMatchesRule(rule: KeyRule): boolean {
  return rule.shape === 'phone' || rule.shape === 'date' || rule.shape === 'document' || rule.shape === 'postcode';
}

function ruleBit(rule: KeyRule): number {
  return 1 << PII_ENTITIES.indexOf(rule.entity);
}

// ---------------------------------------------------------------------------------------------
// The walk

function isPlainContainer(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

class Walk {
  findings: PiiFinding[] | null = null;
  private nodes = 0;
  /** Path segments of the current position: rendered key segments, or array indices. */
  private readonly segments: (string | number)[] = [];

  constructor(
    readonly numericRoot: NumericNode | null,
    private readonly stopAtFirst: boolean,
  ) {}

  /**
   * Visits `value` at `depth`, under the rule of the nearest personal-data key above it (if any)
   * and the numeric-path trie node for this position. Returns true to stop (first finding in
   * stopAtFirst mode).
   */
  visit(value: unknown, depth: number, rule: KeyRule | null, numeric: NumericNode | null): boolean {
    this.nodes++;
    if (this.nodes > PII_GUARD_LIMITS.nodesMax) this.fail('node_limit_exceeded', depth);
    switch (typeof value) {
      case 'string':
        return this.leafString(value, depth, rule, numeric);
      case 'number':
        return this.leafNumber(value, depth, rule, numeric);
      case 'bigint':
        return this.report(depth, (rule !== null && numberMatchesRule(rule) ? ruleBit(rule) : 0)
          | (numeric?.terminal === true ? 0 : scanInteger(value)));
      case 'object':
        if (value === null) return false;
        return this.container(value, depth, rule, numeric);
      default:
        // undefined, booleans, functions and symbols carry no text (JSON drops the latter).
        return false;
    }
  }

  private leafString(value: string, depth: number, rule: KeyRule | null, numeric: NumericNode | null): boolean {
    let bits = rule !== null && stringMatchesRule(rule, value) ? ruleBit(rule) : 0;
    if (numeric?.terminal !== true || !isNumericLooking(value)) bits |= scanText(value);
    return bits !== 0 && this.report(depth, bits);
  }

  private leafNumber(value: number, depth: number, rule: KeyRule | null, numeric: NumericNode | null): boolean {
    let bits = rule !== null && numberMatchesRule(rule) && Number.isFinite(value) ? ruleBit(rule) : 0;
    if (numeric?.terminal !== true) bits |= scanInteger(value);
    return bits !== 0 && this.report(depth, bits);
  }

  private container(value: object, depth: number, rule: KeyRule | null, numeric: NumericNode | null): boolean {
    if (Array.isArray(value)) {
      if (depth >= PII_GUARD_LIMITS.depthMax) this.fail('depth_limit_exceeded', depth);
      const items = numeric?.items ?? null;
      for (let i = 0; i < value.length; i++) {
        this.segments[depth] = i;
        if (this.visit(value[i], depth + 1, rule, items)) return true;
      }
      return false;
    }
    if (value instanceof Date) {
      return rule?.shape === 'date' && this.report(depth, BIT_DATE_OF_BIRTH);
    }
    if (!isPlainContainer(value)) this.fail('unsupported_value', depth);
    if (depth >= PII_GUARD_LIMITS.depthMax) this.fail('depth_limit_exceeded', depth);
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      const info = keyInfoOf(key);
      this.segments[depth] = info.segment;
      if (info.keyBits !== 0 && this.report(depth + 1, info.keyBits)) return true;
      const child = numeric === null ? null : numeric.keys.get(key) ?? null;
      if (this.visit(record[key], depth + 1, info.rule ?? rule, child)) return true;
    }
    return false;
  }

  /** Records the entities in `bits` at the current path (the first `depth` segments). */
  private report(depth: number, bits: number): boolean {
    if (bits === 0) return false;
    if (this.stopAtFirst) return true;
    const path = this.pathAt(depth);
    const findings = (this.findings ??= []);
    for (let i = 0; i < PII_ENTITIES.length; i++) {
      const entity = PII_ENTITIES[i];
      if ((bits & (1 << i)) === 0 || entity === undefined) continue;
      // Redacted keys can share a path; keep one finding per (path, entity).
      if (!findings.some((f) => f.path === path && f.entity === entity)) findings.push({ path, entity });
    }
    return false;
  }

  private pathAt(depth: number): string {
    let path = '$';
    for (let i = 0; i < depth; i++) {
      const segment = this.segments[i];
      path += typeof segment === 'number' ? `[${segment}]` : segment;
    }
    return path;
  }

  private fail(code: PiiGuardErrorCode, depth: number): never {
    throw new PiiGuardError(code, this.pathAt(depth));
  }
}
