import { describe, expect, it } from '@jest/globals';
import { cacheControlOf, marketDataSources, mountOf, uiContentSecurityPolicy } from './static-ui.js';

describe('serving the built UIs', () => {
  it.each([
    ['assets/app-Cu3ilMj7.js', 'public, max-age=31536000, immutable'],
    ['assets/sign-in-D5zP3bMH.css', 'public, max-age=31536000, immutable'],
    ['assets/app-Cu3ilMj7.js.map', 'no-cache'], // source maps are not content-hashed themselves
    ['assets/logo.svg', 'no-cache'], // no hash: could change under the same name
    ['app/index.html', 'no-cache'],
    ['app/assets-Cu3ilMj7.js', 'no-cache'], // outside /assets/
  ])('caches %s as %s', (file, policy) => {
    expect(cacheControlOf(file)).toBe(policy);
  });

  it.each([
    ['/app', '/app'],
    ['/app/', '/app'],
    ['/app/orders/42', '/app'],
    ['/console/cases', '/console'],
    ['/application', undefined], // a prefix is not a mount
    ['/auth/login', undefined],
    ['/', undefined],
  ])('routes %s to mount %s', (requestPath, mount) => {
    expect(mountOf(['/app', '/console'], requestPath)).toBe(mount);
  });

  it('lets a UI connect only to its own origin, plus the origins its stack names', () => {
    expect(uiContentSecurityPolicy()).toContain("connect-src 'self';");
    expect(uiContentSecurityPolicy(marketDataSources('http://localhost:3100'))).toContain("connect-src 'self' http://localhost:3100 ws://localhost:3100;");
    expect(marketDataSources('https://market.example.com')).toEqual(['https://market.example.com', 'wss://market.example.com']);
    expect(() => uiContentSecurityPolicy(["http://x.example 'unsafe-eval'"])).toThrow('bad connect source');
    expect(() => uiContentSecurityPolicy(['*'])).toThrow('bad connect source');
  });
});
