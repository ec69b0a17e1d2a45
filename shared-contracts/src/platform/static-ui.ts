// Serves a stack's built single-page UIs on the stack's own origin (so the session cookie and
// the API share one origin: no CORS, SameSite=Strict holds). Hashed bundles under /assets/ are
// immutable for a year; HTML is revalidated on every load, so a deploy is seen at once. A
// browser navigation to any path under a mount gets that app's index.html (the SPA routes it);
// anything else falls through to the API untouched.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';

export interface StaticUiOptions {
  /** The directory vite built into: `<mount>/index.html` per app and the shared `assets/`. */
  readonly distDir: string;
  /** Where each app lives, e.g. ['/app', '/console']. */
  readonly mounts: readonly string[];
  /** Origins besides its own the UI may fetch from or open a socket to (CSP connect-src). */
  readonly connectSources?: readonly string[];
}

export const UI_ASSETS_PATH = '/assets';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/** vite names every emitted bundle `<name>-<hash>.<ext>`; only those are safe to cache for ever. */
const HASHED_FILE = /-[A-Za-z0-9_-]{8,}\.(js|css|woff2?|svg|png|jpg|webp)$/;

const MOUNT = /^\/[a-z][a-z0-9-]{0,30}$/;
/**
 * The UIs load only their own bundles and talk to their own origin (fetch and the feed), plus the
 * origins a stack names explicitly (the investor SPA's public market data).
 */
export function uiContentSecurityPolicy(connectSources: readonly string[] = []): string {
  for (const source of connectSources) if (!/^(https?|wss?):\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(source)) throw new Error(`static UI: bad connect source ${source}`);
  return [
    "default-src 'self'", "script-src 'self'", ["connect-src 'self'", ...connectSources].join(' '), "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'", "font-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
  ].join('; ');
}

/** An http(s) origin and its WebSocket twin, as CSP connect-src sources. */
export function marketDataSources(origin: string): string[] {
  const url = new URL(origin);
  return [url.origin, `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`];
}

/** Cache policy of a served file, by its path relative to the dist directory. */
export function cacheControlOf(relativePath: string): string {
  const normalised = relativePath.split(path.sep).join('/');
  return normalised.startsWith(`${UI_ASSETS_PATH.slice(1)}/`) && HASHED_FILE.test(normalised) ? IMMUTABLE : REVALIDATE;
}

/** The mount a request path belongs to, or undefined (then it is not the UI's business). */
export function mountOf(mounts: readonly string[], requestPath: string): string | undefined {
  return mounts.find((mount) => requestPath === mount || requestPath.startsWith(`${mount}/`));
}

function wantsHtml(request: Request): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && (request.headers.accept ?? '').includes('text/html');
}

export function serveStaticUi(app: INestApplication, { distDir, mounts, connectSources = [] }: StaticUiOptions): void {
  const policy = uiContentSecurityPolicy(connectSources);
  for (const mount of mounts) if (!MOUNT.test(mount)) throw new Error(`static UI: bad mount ${mount}`);
  const logger = new Logger('StaticUi');
  const indexes = new Map(mounts.map((mount) => [mount, path.join(distDir, mount.slice(1), 'index.html')]));
  const missing = [...indexes.values()].filter((file) => !existsSync(file));
  if (missing.length > 0) logger.warn(`UI not built (missing ${missing.join(', ')}): run npm run build`);

  const files = express.static(distDir, {
    index: false,
    redirect: false,
    fallthrough: true,
    dotfiles: 'ignore',
    setHeaders: (response, file) => response.setHeader('Cache-Control', cacheControlOf(path.relative(distDir, file))),
  });

  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    const mount = mountOf(mounts, request.path);
    if (request.path === mount) return response.redirect(301, `${mount}/`);
    const isAsset = request.path.startsWith(`${UI_ASSETS_PATH}/`);
    if (!mount && !isAsset) return next();
    return files(request, response, () => {
      const index = mount && indexes.get(mount);
      if (!index || isAsset || !wantsHtml(request)) return next();
      if (!existsSync(index)) {
        response.status(503).type('text/plain').send('This UI is not built yet: run `npm run build`.');
        return;
      }
      response.setHeader('Cache-Control', REVALIDATE);
      response.setHeader('Content-Security-Policy', policy);
      response.setHeader('X-Content-Type-Options', 'nosniff');
      response.setHeader('Referrer-Policy', 'no-referrer');
      response.sendFile(index);
    });
  });
}
