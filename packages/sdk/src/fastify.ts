// fastifyPlugin: the same REST routes inside a fastify app. The plugin reads the body as text and
// hands it to the REST core, so both give identical answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Epos } from './define.ts';
import { restCore, type RestOptions } from './rest.ts';

/**
 * The part of a fastify instance the plugin uses. Written out rather than imported from fastify
 * (an optional peer), so the SDK's installed types need no fastify; a fastify 5 instance fits it,
 * which test/sdk/rest.test.ts type-checks by registering the plugin on one.
 */
export interface FastifyApp {
  readonly prefix: string;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(contentType: string, opts: { parseAs: 'string'; bodyLimit: number },
    parser: (req: unknown, body: string, done: (err: null, body: string) => void) => void): void;
  setErrorHandler(handler: (err: { statusCode?: number }, req: unknown, reply: { code(status: number): { send(body: unknown): unknown } }) => void): unknown;
  all(path: string, handler: (req: { raw: IncomingMessage; body?: unknown }, reply: { hijack(): void; raw: ServerResponse }) => Promise<void>): unknown;
}

/** What `app.register()` takes. */
export type FastifyPlugin = (app: FastifyApp) => Promise<void>;

export function fastifyPlugin(epos: Epos, opts: RestOptions): FastifyPlugin {
  const core = restCore(epos, { ...opts, basePath: undefined });
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
    app.setErrorHandler((err, _req, reply) => {
      const status = err.statusCode === 413 ? 413 : (err.statusCode ?? 500) < 500 ? 400 : 500;
      void reply.code(status).send({
        errorType: status >= 500 ? 'UnexpectedError' : 'InvalidRequest',
        debugMessage: status === 413 ? `body exceeds ${bodyLimit} bytes` : 'request could not be read',
      });
    });
    const handler: Parameters<FastifyApp['all']>[1] = async (req, reply) => {
      reply.hijack();
      // routes are matched on the path inside the plugin's prefix
      const raw = req.raw;
      const prefix = app.prefix ?? '';
      const original = raw.url;
      if (prefix && raw.url?.startsWith(prefix)) raw.url = raw.url.slice(prefix.length) || '/';
      try {
        await core(raw, reply.raw, typeof req.body === 'string' ? req.body : '');
      } finally {
        raw.url = original;
      }
    };
    app.all('/*', handler);
    app.all('/', handler);
  };
}
