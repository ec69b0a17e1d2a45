// Tenant branding: a tenant picks its colours; the UI keeps text readable on them. WCAG 2.x
// relative luminance and contrast ratio decide whether text on a brand colour is white or
// near-black, so no tenant can brand its way below AA (4.5:1) for normal text.

const HEX = /^#([0-9a-fA-F]{6})$/;
export const CONTRAST_AA_MIN = 4.5;
const INK = '#111418';
const PAPER = '#ffffff';

export interface Brand {
  readonly name: string;
  readonly primaryColour: string;
  readonly accentColour: string;
}

export const DEFAULT_BRAND: Brand = { name: 'Bulwark', primaryColour: '#1d3a6e', accentColour: '#b45309' };

function channels(hex: string): [number, number, number] {
  const match = HEX.exec(hex);
  if (!match?.[1]) throw new Error(`not a #rrggbb colour: ${hex}`);
  const value = Number.parseInt(match[1], 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The text colour (white or ink) with the better contrast on `background`. */
export function readableTextOn(background: string): string {
  return contrastRatio(background, PAPER) >= contrastRatio(background, INK) ? PAPER : INK;
}

/** Darkens a colour until it reaches AA against white (brand colours used as link/text colour). */
export function legibleOnWhite(hex: string): string {
  let [r, g, b] = channels(hex);
  for (let step = 0; step < 64 && contrastRatio(toHex(r, g, b), PAPER) < CONTRAST_AA_MIN; step += 1) {
    [r, g, b] = [Math.floor(r * 0.92), Math.floor(g * 0.92), Math.floor(b * 0.92)];
  }
  return toHex(r, g, b);
}

function toHex(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** Sets the CSS custom properties every component reads. */
export function applyBrand(brand: Brand, root: HTMLElement = document.documentElement): void {
  const primary = HEX.test(brand.primaryColour) ? brand.primaryColour : DEFAULT_BRAND.primaryColour;
  const accent = HEX.test(brand.accentColour) ? brand.accentColour : DEFAULT_BRAND.accentColour;
  root.style.setProperty('--brand', primary);
  root.style.setProperty('--brand-text', legibleOnWhite(primary));
  root.style.setProperty('--on-brand', readableTextOn(primary));
  root.style.setProperty('--accent', legibleOnWhite(accent));
}
