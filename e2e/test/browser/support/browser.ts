// Browser tests drive Debian's Chromium (never a downloaded build) through playwright-core:
// headless, sandbox off (the test runs as root in CI), no background traffic, and a fresh
// profile per user so two people in one test never share a cookie. Screenshots go under
// e2e/artifacts/screenshots/ (gitignored); the path is printed once.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ACTION_TIMEOUT_MS = 15_000;
const TAB_PRESSES_MAX = 60;

export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../artifacts/screenshots');

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_BIN;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  } catch {
    throw new Error('Chromium is not installed: apt-get install -y chromium (npm test installs it when it can)');
  }
}

export interface BrowserUser {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

let announced = false;

/** A browser of its own for one person (fresh profile), with one page. */
export async function openBrowser(viewport = { width: 1280, height: 860 }): Promise<BrowserUser> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'bulwark-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(`console error: ${message.text()}`);
  });
  (page as Page & { problems?: string[] }).problems = problems;
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Script errors the page raised (a test ends by asserting there were none). */
export function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  if (!announced) {
    announced = true;
    process.stderr.write(`[browser tests] screenshots: ${SCREENSHOT_DIR}\n`);
  }
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Presses Tab until `target` has focus: proves it is reachable by keyboard alone. */
export async function tabTo(page: Page, target: Locator): Promise<void> {
  const handle = await target.elementHandle();
  if (!handle) throw new Error('tabTo: target not found');
  for (let presses = 0; presses < TAB_PRESSES_MAX; presses += 1) {
    if (await handle.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`tabTo: not reachable with ${TAB_PRESSES_MAX} Tab presses`);
}

export interface AccessibilityReport {
  readonly lang: string;
  readonly h1Count: number;
  readonly hasMain: boolean;
  /** Form controls without an accessible name. */
  readonly unlabelled: string[];
  /** Buttons and links without an accessible name. */
  readonly nameless: string[];
  /** Images without alt text. */
  readonly imagesWithoutAlt: number;
  /** Tables without a caption or header cells. */
  readonly bareTables: number;
  /** Text whose contrast against its background is below WCAG AA. */
  readonly lowContrast: string[];
}

/** The checks a machine can make: landmarks, labels, names, alt text, table semantics, contrast. */
export async function auditAccessibility(page: Page): Promise<AccessibilityReport> {
  return page.evaluate(() => {
    const visible = (element: Element) => {
      const box = (element as HTMLElement).getBoundingClientRect();
      const style = getComputedStyle(element);
      return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const describe = (element: Element) => {
      const name = element.getAttribute('name');
      return `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${name ? `[name=${name}]` : ''}`;
    };
    const labelled = (element: Element) => {
      if (element.getAttribute('aria-label')?.trim()) return true;
      const by = element.getAttribute('aria-labelledby');
      if (by && by.split(' ').some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      const labels = (element as HTMLInputElement).labels;
      return Boolean(labels && [...labels].some((label) => label.textContent?.trim()));
    };
    const controls = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(visible);
    const clickables = [...document.querySelectorAll('button, a[href]')].filter(visible);
    const parse = (colour: string) => (colour.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const channel = (c: number) => {
        const v = c / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const backgroundOf = (element: Element | null): number[] => {
      for (let node = element; node; node = node.parentElement) {
        const rgba = parse(getComputedStyle(node).backgroundColor);
        if (rgba.length >= 3 && (rgba[3] ?? 1) > 0.5) return rgba;
      }
      return [255, 255, 255];
    };
    const lowContrast: string[] = [];
    for (const element of document.querySelectorAll('body *')) {
      const ownText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent?.trim());
      if (!ownText || !visible(element) || (element as HTMLButtonElement).disabled) continue;
      const fg = luminance(parse(getComputedStyle(element).color));
      const bg = luminance(backgroundOf(element));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) lowContrast.push(`${describe(element)} "${element.textContent?.trim().slice(0, 30)}" ${Math.round(ratio * 100) / 100}:1`);
    }
    return {
      lang: document.documentElement.lang,
      h1Count: document.querySelectorAll('h1').length,
      hasMain: Boolean(document.querySelector('main')),
      unlabelled: controls.filter((control) => !labelled(control)).map(describe),
      nameless: clickables.filter((element) => !(element.textContent?.trim() || element.getAttribute('aria-label')?.trim())).map(describe),
      imagesWithoutAlt: [...document.querySelectorAll('img')].filter((img) => !img.hasAttribute('alt')).length,
      bareTables: [...document.querySelectorAll('table')].filter((table) => !table.querySelector('caption') || !table.querySelector('th')).length,
      lowContrast,
    };
  });
}

/** Asserts the automatable accessibility rules on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const report = await auditAccessibility(page);
  const failures = [
    report.lang ? '' : 'the page has no lang',
    report.h1Count === 1 ? '' : `${report.h1Count} h1 elements (want exactly one)`,
    report.hasMain ? '' : 'no main landmark',
    ...report.unlabelled.map((c) => `unlabelled control ${c}`),
    ...report.nameless.map((c) => `nameless ${c}`),
    report.imagesWithoutAlt ? `${report.imagesWithoutAlt} images without alt` : '',
    report.bareTables ? `${report.bareTables} tables without caption or header cells` : '',
    ...report.lowContrast.map((c) => `low contrast ${c}`),
  ].filter(Boolean);
  if (failures.length > 0) throw new Error(`accessibility on ${page.url()}:\n  ${failures.join('\n  ')}`);
}
