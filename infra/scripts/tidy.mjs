#!/usr/bin/env node
// Tidy: mechanical style rules in the TigerBeetle spirit, checked over the source trees. A rule
// here is one a reviewer should never have to point out by hand.
//
//   node infra/scripts/tidy.mjs                 checks the repository's source roots
//   node infra/scripts/tidy.mjs <dir> [<dir>]   checks the given directories instead
//
// Exit 0 when clean; exit 1 listing every violation as file:line: rule.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LINE_LENGTH_MAX = 180;
const FILES_MAX = 20_000;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', 'build', 'out', 'artifacts', 'test-results', 'playwright-report']);
const CODE_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
// kebab-case words, then dotted role suffixes: ledger.service.ts, pii-guard.spec.ts, jest.config.js.
const KEBAB_FILE = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$/;

/** The source roots of the repository: every stack package's src, shared-contracts/src, ui-kit/src and e2e. */
function defaultRoots() {
  const roots = [path.join(REPO, 'shared-contracts', 'src'), path.join(REPO, 'ui-kit', 'src'), path.join(REPO, 'e2e')];
  for (const stack of ['customer-stack', 'execution-stack']) {
    const stackDir = path.join(REPO, stack);
    for (const pkg of safeReaddir(stackDir)) roots.push(path.join(stackDir, pkg, 'src'));
  }
  return roots.filter(isDirectory);
}

function safeReaddir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function* codeFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* codeFiles(full);
    } else if (entry.isFile() && CODE_FILE.test(entry.name)) {
      yield full;
    }
  }
}

/** What kind of file it is decides which rules apply. */
function roleOf(root, file) {
  const name = path.basename(file);
  // Judged below the root only, so a checkout under /home/test/ is not all tests.
  const parts = [path.basename(root), ...path.relative(root, file).split(path.sep)];
  const test = /\.(spec|test|e2e-spec)\.[cm]?[jt]sx?$/.test(name) || parts.includes('test') || parts.includes('__tests__') || parts.includes('e2e');
  const bench = /\.bench\.[cm]?[jt]sx?$/.test(name) || parts.includes('bench');
  const script = parts.includes('scripts');
  // Migrations keep each SQL statement on one line, as TypeORM generates them: exempt from length.
  const migration = parts.includes('migrations');
  return { test, bench, script, migration, ts: /\.[cm]?tsx?$/.test(name) };
}

/** The line without its `//` comment and without the text of string literals, to avoid matching prose. */
function codeOf(line) {
  let out = '';
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) {
        quote = null;
        out += c;
      }
      continue;
    }
    if (c === '/' && line[i + 1] === '/') break;
    if (c === '"' || c === "'" || c === '`') quote = c;
    out += c;
  }
  return out;
}

const LINE_RULES = [
  { id: 'parse-float', applies: () => true, test: (code) => /\bparseFloat\s*\(/.test(code), message: 'parseFloat( — money never passes through a JS float' },
  { id: 'to-fixed', applies: (r) => !r.test && !r.bench, test: (code) => /\.toFixed\s*\(/.test(code), message: '.toFixed( outside spec/bench files — format money with the money helpers' },
  { id: 'only', applies: (r) => r.test, test: (code) => /\.only\s*\(/.test(code), message: '.only( in a test — it silently skips the rest of the suite' },
  { id: 'console-log', applies: (r) => !r.test && !r.bench && !r.script, test: (code) => /\bconsole\.log\s*\(/.test(code), message: 'console.log in source — use the logger' },
  { id: 'any', applies: (r) => r.ts, test: (code) => /(?::\s*any\b(?!\s*[-\w$])|\bas\s+any\b|<any>)/.test(code), message: 'any — name the type, or use unknown and narrow it' },
];

function tidyFile(root, file, violations) {
  const role = roleOf(root, file);
  const name = path.basename(file);
  if (!KEBAB_FILE.test(name)) violations.push({ file, line: 1, message: `file name '${name}' is not kebab-case` });
  const lines = readFileSync(file, 'utf8').split('\n');
  let inBlockComment = false;
  lines.forEach((line, index) => {
    if (role.ts && !role.migration && line.length > LINE_LENGTH_MAX) {
      violations.push({ file, line: index + 1, message: `line is ${line.length} characters (max ${LINE_LENGTH_MAX})` });
    }
    const trimmed = line.trim();
    if (inBlockComment) {
      if (trimmed.includes('*/')) inBlockComment = false;
      return;
    }
    if (trimmed.startsWith('/*') && !trimmed.includes('*/')) {
      inBlockComment = true;
      return;
    }
    if (trimmed.startsWith('*') || trimmed.startsWith('/*')) return;
    const code = codeOf(line);
    for (const rule of LINE_RULES) {
      if (rule.applies(role) && rule.test(code)) violations.push({ file, line: index + 1, message: rule.message });
    }
  });
}

function main(args) {
  const roots = args.length > 0 ? args.map((a) => path.resolve(a)) : defaultRoots();
  const missing = roots.filter((r) => !isDirectory(r));
  if (missing.length > 0) {
    console.error(`tidy: not a directory: ${missing.join(', ')}`);
    return 2;
  }
  const violations = [];
  let files = 0;
  for (const root of roots) {
    for (const file of codeFiles(root)) {
      files += 1;
      if (files > FILES_MAX) {
        console.error(`tidy: more than ${FILES_MAX} files under ${roots.join(', ')}: is a dependency folder included?`);
        return 2;
      }
      tidyFile(root, file, violations);
    }
  }
  for (const v of violations) console.error(`${path.relative(process.cwd(), v.file) || v.file}:${v.line}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`tidy: ${violations.length} violation(s) in ${files} files`);
    return 1;
  }
  console.log(`tidy: ${files} files clean`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
