// HTTP face of events, both directions:
//   products → EPOS:  POST /epos/data/v1/events, GET /epos/data/v1/events[/{id}]
//   EPOS → products:  POST /epos/events, GET /epos/events, GET /epos/events/stream (SSE)
// Every route lives in the authenticated context (server/app.ts) and sees only the caller's tenant.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { PlatformError } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import { explained, type Explain } from '../server/validation.ts';
import { AUTHENTICATED_ERRORS, ErrorBody, errorResponses, IdParam } from '../server/schemas.ts';
import type { DeliveryStatus, EposEventStore, OutboxStore } from '../store/store.ts';
import type { Tenant } from '../tenant.ts';
import { EventRequestBody, eposEventView, eventRequest } from './inbound.ts';
import { RaiseEventBody, eventView, raise } from './outbound.ts';
import type { StreamHub } from './stream.ts';
import type { DeliveryWorker } from './worker.ts';

export const OUTBOUND_PATH = '/epos/data/v1/events';
export const INBOUND_PATH = '/epos/events';
export const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;
const STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed', 'skipped', 'expired'];

// ── query schemas: a cursor is a sequence number, a page 1..MAX_PAGE ──
const CURSOR = '^\\d{0,15}$';
/** 1..500 in at most four digits ("0042" is 42, as Number() reads it). */
const PAGE_LIMIT = '^(?=\\d{1,4}$)0*(?:[1-9]\\d?|[1-4]\\d\\d|500)$';

const explainQuery: Explain = (issue, e) => {
  const actual: unknown = e.data;
  if (issue.path === '$.query.limit') return { path: issue.path, message: `limit must be an integer from 1 to ${MAX_PAGE}`, expected: `1..${MAX_PAGE}`, actual };
  if (issue.path === '$.query.status') return { path: issue.path, message: `status must be one of ${STATUSES.join(', ')}`, expected: STATUSES.join(' | '), actual };
  if (issue.path === '$.query.after' || issue.path === '$.headers.last-event-id') {
    return { path: issue.path, message: 'the cursor must be a sequence number (a non-negative integer)', expected: 'integer ≥ 0', actual };
  }
  return issue;
};
const Cursor = Type.String({ pattern: CURSOR, description: 'Sequence number to list after (exclusive)' });
const PAGE_FIELDS = {
  after: Type.Optional(Cursor),
  limit: Type.Optional(Type.String({ pattern: PAGE_LIMIT, description: `Page size, 1..${MAX_PAGE} (default ${DEFAULT_PAGE})` })),
};
const PageQuery = explained(Type.Object(PAGE_FIELDS), explainQuery);
type PageQuery = Static<typeof PageQuery>;
const OutboxQuery = explained(Type.Object({ ...PAGE_FIELDS, status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))) }), explainQuery);
const StreamQuery = explained(Type.Object({ after: Type.Optional(Cursor) }), explainQuery);
const StreamHeaders = explained(Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: CURSOR })) }), explainQuery);

// ── answers ──
const OutboxEvent = Type.Object({ delivery: Type.Object({ status: Type.String(), attempts: Type.Integer() }, { additionalProperties: true }) },
  { additionalProperties: true, description: 'The Event as the EPOS gets it, plus its delivery' });
const EposEvent = Type.Object({
  seq: Type.Integer(), eventType: Type.String(), event: Type.Record(Type.String(), Type.String()),
  receivedAt: Type.String({ format: 'date-time' }), softwareHouseId: Type.String(), resellerId: Type.Optional(Type.String()),
});
const errors = errorResponses(...AUTHENTICATED_ERRORS);

export interface EventRouteDeps {
  outbox: OutboxStore;
  eposEvents: EposEventStore;
  registry: Registry;
  worker: DeliveryWorker;
  hub: StreamHub;
  /** An EPOS event of the tenant was stored (the streams of every node read it). */
  appended: (tenant: Tenant) => void;
  now?: () => Date;
}

export function eventRoutes(app: FastifyInstance, d: EventRouteDeps): void {
  const now = d.now ?? (() => new Date());

  // ── products → EPOS ──
  app.post(OUTBOUND_PATH, { schema: { body: RaiseEventBody, response: { 202: OutboxEvent, ...errors, 409: ErrorBody, 503: ErrorBody } } }, async (req, reply) => {
    const { entry, created } = await raise(d.outbox, d.registry, req.caller, req.body as RaiseEventBody, now());
    if (created && entry.status === 'pending') d.worker.kick();
    if (!created) void reply.header('idempotent-replayed', 'true');
    return reply.code(202).send(eventView(entry));
  });

  app.get(`${OUTBOUND_PATH}/:id`, { schema: { params: IdParam('id'), response: { 200: OutboxEvent, ...errors, 404: ErrorBody } } }, async (req) => {
    const { id } = req.params as { id: string };
    const entry = await d.outbox.get(tenantOf(req), id);
    if (!entry) throw new PlatformError('NOT_FOUND', `no event "${id}" was raised for this account (${req.caller.env})`);
    return eventView(entry);
  });

  app.get(OUTBOUND_PATH, {
    schema: { querystring: OutboxQuery, response: { 200: Type.Object({ events: Type.Array(OutboxEvent), next: Type.Integer() }), ...errors } },
  }, async (req) => {
    const q = req.query as Static<typeof OutboxQuery>;
    const { after, limit } = page(q);
    const entries = await d.outbox.list(tenantOf(req), { ...(q.status ? { status: q.status } : {}), after, limit });
    return { events: entries.map(eventView), next: entries.at(-1)?.seq ?? after };
  });

  // ── EPOS → products ──
  app.post(INBOUND_PATH, {
    schema: { body: EventRequestBody, response: { 200: Type.Object({ eventType: Type.String(), event: Type.Record(Type.String(), Type.String()) }), ...errors, 503: ErrorBody } },
  }, async (req) => {
    const body = eventRequest(req.body as Parameters<typeof eventRequest>[0]);
    await d.eposEvents.append({
      tenant: tenantOf(req),
      eventType: body.eventType,
      event: body.event,
      receivedAt: now().toISOString(),
      keyId: req.caller.keyId,
      softwareHouseId: req.caller.softwareHouseId,
      ...(req.caller.resellerId ? { resellerId: req.caller.resellerId } : {}),
    });
    d.appended(tenantOf(req));
    return body;
  });

  app.get(INBOUND_PATH, {
    schema: { querystring: PageQuery, response: { 200: Type.Object({ events: Type.Array(EposEvent), next: Type.Integer() }), ...errors } },
  }, async (req) => {
    const { after, limit } = page(req.query as PageQuery);
    const events = await d.eposEvents.list(tenantOf(req), after, limit);
    return { events: events.map(eposEventView), next: events.at(-1)?.seq ?? after };
  });

  app.get(`${INBOUND_PATH}/stream`, {
    schema: {
      querystring: StreamQuery, headers: StreamHeaders,
      response: { 200: Type.String({ description: 'text/event-stream: one `id: <seq>` / `data: <EPOS event>` per event' }), ...errors },
    },
  }, async (req, reply) => {
    // Last-Event-ID (a reconnecting EventSource) wins over ?after.
    const lastEventId = req.headers['last-event-id'];
    const after = Number((lastEventId || (req.query as { after?: string }).after) ?? 0);
    d.hub.admit(tenantOf(req));
    reply.hijack();
    d.hub.open(tenantOf(req), req.caller.keyId, after, reply.raw);
  });
}

function tenantOf(req: FastifyRequest): Tenant {
  return { accountId: req.caller.accountId, env: req.caller.env };
}

/** The page a query asks for; the schema has checked both numbers. */
function page(q: PageQuery): { after: number; limit: number } {
  return { after: Number(q.after || 0), limit: q.limit === undefined ? DEFAULT_PAGE : Number(q.limit) };
}
