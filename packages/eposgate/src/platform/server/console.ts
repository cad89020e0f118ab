// The web console (docs/console.md): a static single-page app under /console, built by
// scripts/build-console.mjs into dist/console. Four fixed files, no directory lookup, so no path
// from a request ever reaches the file system. Public: the page holds no data; it calls the public
// API with the credentials the user types, kept in the tab's sessionStorage (no cookies, no CSRF).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { PlatformError } from '../errors.ts';
import { ErrorBody } from './schemas.ts';

/** The package's dist/console, from src/platform/server or dist/platform/server alike. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

/** Strict: our own script and styles only (uPlot sets inline styles), no framing, no referrer. */
export const CONSOLE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Unhashed names: the browser revalidates, so a rebuilt console is never mixed with an old one.
  'cache-control': 'no-cache',
} as const;

const FILES: { paths: string[]; file: string; type: string; summary: string }[] = [
  { paths: ['/console', '/console/'], file: 'index.html', type: 'text/html; charset=utf-8', summary: 'The web console (a single-page app; docs/console.md)' },
  { paths: ['/console/app.js'], file: 'app.js', type: 'text/javascript; charset=utf-8', summary: "The web console's script" },
  { paths: ['/console/app.css'], file: 'app.css', type: 'text/css; charset=utf-8', summary: "The web console's stylesheet" },
];

export function consoleRoutes(app: FastifyInstance, dir: string = CONSOLE_DIR): void {
  // Read once each, on first request: a build made after the platform started is picked up.
  const cache = new Map<string, Buffer>();
  for (const { paths, file, type, summary } of FILES) {
    const mime = type.split(';')[0]!;
    const schema = {
      summary, tags: ['Console'], security: [],
      response: {
        200: { description: summary, content: { [mime]: { schema: Type.String() } } },
        503: { description: 'the console is not built (run `npm run build`)', content: { 'application/json': { schema: ErrorBody } } },
      },
    };
    for (const [i, path] of paths.entries()) {
      const operationId = `GetConsole${file === 'index.html' ? '' : file === 'app.js' ? 'Script' : 'Stylesheet'}${i ? 'Slash' : ''}`;
      app.get(path, { schema: { ...schema, operationId } }, async (_req, reply: FastifyReply) => {
        void reply.headers(CONSOLE_HEADERS);
        let body = cache.get(file);
        if (!body) {
          try {
            body = await readFile(join(dir, file));
          } catch {
            throw new PlatformError('CONSOLE_NOT_BUILT', `The web console is not built: ${join(dir, file)} is missing. Run \`npm run build\` (npm ci and npm start do), then reload.`);
          }
          cache.set(file, body);
        }
        return reply.type(type).send(body);
      });
    }
  }
}
