// fastifyPlugin: the same REST routes inside a fastify app. The plugin reads the body as text and
// hands it to the REST core, so both give identical answers.
import type { FastifyPluginAsync } from 'fastify';
import type { Epos } from './define.ts';
import { restCore, type RestOptions } from './rest.ts';

export function fastifyPlugin(epos: Epos, opts: RestOptions): FastifyPluginAsync {
  const core = restCore(epos, { ...opts, basePath: undefined });
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
    app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
      const status = err.statusCode === 413 ? 413 : (err.statusCode ?? 500) < 500 ? 400 : 500;
      void reply.code(status).send({
        errorType: status >= 500 ? 'UnexpectedError' : 'InvalidRequest',
        debugMessage: status === 413 ? `body exceeds ${bodyLimit} bytes` : 'request could not be read',
      });
    });
    const handler = async (req: { raw: import('node:http').IncomingMessage; body?: unknown; url: string }, reply: { hijack(): void; raw: import('node:http').ServerResponse }) => {
      reply.hijack();
      // routes are matched on the path inside the plugin's prefix
      const raw = req.raw;
      const prefix = (app as unknown as { prefix: string }).prefix ?? '';
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
