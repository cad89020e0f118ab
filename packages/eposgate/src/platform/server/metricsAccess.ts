// GET /metrics is for the operator: with a token configured (EPOSGATE_METRICS_TOKEN / metricsToken)
// it takes `Authorization: Bearer <token>`; without one only loopback callers get it, so a platform
// bound to a public address does not publish its tenants' traffic.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { PlatformError } from '../errors.ts';
import { ErrorBody } from './schemas.ts';

export const METRICS_PATH = '/metrics';

export function metricsRoute(app: FastifyInstance, render: () => string, token: string | undefined): void {
  const schema = { response: { 200: Type.String({ description: 'Prometheus text format 0.0.4' }), 401: ErrorBody, 403: ErrorBody } };
  app.get(METRICS_PATH, { schema }, async (req, reply) => {
    checkMetricsAccess(req, token);
    return reply.type('text/plain; version=0.0.4').send(render());
  });
}

export function checkMetricsAccess(req: FastifyRequest, token: string | undefined): void {
  if (token) {
    const auth = req.headers.authorization;
    if (!auth) throw new PlatformError('MISSING_AUTHORIZATION', 'GET /metrics needs "Authorization: Bearer <operator token>" (EPOSGATE_METRICS_TOKEN)');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m || !sameSecret(m[1]!, token)) throw new PlatformError('FORBIDDEN', 'the bearer token is not the operator token for /metrics');
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

function sameSecret(a: string, b: string): boolean {
  // Digests first: equal lengths for timingSafeEqual, and no early exit on the first differing byte.
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
