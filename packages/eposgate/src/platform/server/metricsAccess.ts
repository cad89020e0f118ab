// GET /metrics is for the operator: with a token configured (EPOSGATE_METRICS_TOKEN / metricsToken,
// or the admin token EPOSGATE_ADMIN_TOKEN / adminToken) it takes `Authorization: Bearer <token>`;
// without one only loopback callers get it, so a platform bound to a public address does not
// publish its tenants' traffic.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { PlatformError } from '../errors.ts';
import { bearerToken, sameSecret } from '../auth/sameSecret.ts';
import { ErrorBody } from './schemas.ts';

export const METRICS_PATH = '/metrics';

/** `tokens`: those that open /metrics (the metrics token and the admin token, whichever are set). */
export function metricsRoute(app: FastifyInstance, render: () => Promise<string>, tokens: readonly (string | undefined)[]): void {
  const schema = { response: { 200: Type.String({ description: 'Prometheus text format 0.0.4' }), 401: ErrorBody, 403: ErrorBody } };
  const set = tokens.filter((t): t is string => !!t);
  app.get(METRICS_PATH, { schema }, async (req, reply) => {
    checkMetricsAccess(req, set);
    const text = await render();
    return reply.type('text/plain; version=0.0.4').send(text);
  });
}

export function checkMetricsAccess(req: FastifyRequest, tokens: readonly string[]): void {
  if (tokens.length) {
    const auth = req.headers.authorization;
    if (!auth) throw new PlatformError('MISSING_AUTHORIZATION', 'GET /metrics needs "Authorization: Bearer <operator token>" (EPOSGATE_METRICS_TOKEN or EPOSGATE_ADMIN_TOKEN)');
    const given = bearerToken(auth);
    // Every configured token is compared, so the time taken does not say which one is set.
    let ok = false;
    for (const t of tokens) if (given !== undefined && sameSecret(given, t)) ok = true;
    if (!ok) throw new PlatformError('FORBIDDEN', 'the bearer token is not the operator token for /metrics');
    return;
  }
  if (!isLoopback(req.socket.remoteAddress)) {
    throw new PlatformError('FORBIDDEN', '/metrics answers only loopback callers; set EPOSGATE_METRICS_TOKEN on the platform to read it remotely with a bearer token');
  }
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}
