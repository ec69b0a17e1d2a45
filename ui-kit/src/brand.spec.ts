import { describe, expect, it } from '@jest/globals';
import { CONTRAST_AA_MIN, contrastRatio, legibleOnWhite, readableTextOn } from './brand';

describe('tenant colours never make text unreadable', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
  });

  it.each([
    ['#8d153a', '#ffffff'], // the reference tenant's maroon takes white text
    ['#eb7400', '#111418'], // its orange takes ink
    ['#ffffff', '#111418'],
    ['#1d3a6e', '#ffffff'],
  ])('puts %s text in %s', (background, text) => {
    expect(readableTextOn(background)).toBe(text);
    expect(contrastRatio(background, readableTextOn(background))).toBeGreaterThanOrEqual(CONTRAST_AA_MIN);
  });

  it.each(['#eb7400', '#ffff00', '#8d153a', '#00ff00', '#ffffff'])('darkens %s until it reads on white', (colour) => {
    expect(contrastRatio(legibleOnWhite(colour), '#ffffff')).toBeGreaterThanOrEqual(CONTRAST_AA_MIN);
  });

  it('leaves a colour that already reads on white unchanged', () => {
    expect(legibleOnWhite('#8d153a')).toBe('#8d153a');
  });
});
