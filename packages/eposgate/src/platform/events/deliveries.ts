// The delivery log of events to the EPOS, for the console and for integrators: a tenant's deliveries
// newest first with each one's attempts, resend of one, replay of many by filter, and the pause of a
// tenant whose EPOS keeps failing (docs/events.md, "Deliveries").
//   GET  /epos/events/deliveries              GET  /epos/events/deliveries/{id}
//   POST /epos/events/deliveries/{id}/resend  POST /epos/events/deliveries/replay
//   POST /epos/events/deliveries/resume       POST /epos/events/deliveries/pause
// A resent or replayed event is queued as the tenant's newest (a new seq) and sent again as it was
// (same id): at least once, so the EPOS may see it twice and must handle HandleEvent by id.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { EVENT_TYPES, EventType } from '@eposgate/contract';
import { PlatformError, validationFailed } from '../errors.ts';
import { explained, type Explain } from '../server/validation.ts';
import { PAGE_DEFAULT as DEFAULT_PAGE, PAGE_LIMIT, PAGE_MAX as MAX_PAGE } from '../server/paging.ts';
import { AUTHENTICATED_ERRORS, ErrorBody, errorResponses, IdParam } from '../server/schemas.ts';
import { DONE_STATUSES, type DeliveryFilter, type DeliveryPause, type DeliveryStatus, type OutboxEntry, type OutboxStore } from '../store/store.ts';
import type { Tenant } from '../tenant.ts';
import type { DeliveryWorker } from './worker.ts';

export const DELIVERIES_PATH = '/epos/events/deliveries';
const STATUSES: readonly DeliveryStatus[] = ['pending', ...DONE_STATUSES];
/** What a replay without `status` queues again: the events that did not reach the EPOS. */
export const REPLAY_DEFAULT_STATUSES: readonly DeliveryStatus[] = ['failed', 'expired'];

// ── input ──
/** The cursor is opaque to clients; it is the seq to list below. */
const CURSOR = '^[1-9]\\d{0,14}$';

const explain = (where: string): Explain => (issue, e) => {
  const actual: unknown = e.data;
  const at = issue.path;
  if (at === `${where}.limit`) return { path: at, message: `limit must be an integer from 1 to ${MAX_PAGE}`, expected: `1..${MAX_PAGE}`, actual };
  if (at === `${where}.cursor`) return { path: at, message: 'cursor must be a nextCursor of an earlier answer', expected: 'a nextCursor', actual };
  if (at === `${where}.status`) {
    const allowed = where === '$' ? DONE_STATUSES : STATUSES;
    return { path: at, message: `status must be one of ${allowed.join(', ')}`, expected: allowed.join(' | '), actual };
  }
  if (at === `${where}.type`) return { path: at, message: `type must be one of ${EVENT_TYPES.join(', ')}`, expected: EVENT_TYPES.join(' | '), actual };
  if (at === `${where}.from` || at === `${where}.to`) {
    return { path: at, message: 'a time must be an ISO 8601 date-time with a time zone, e.g. 2026-11-27T09:00:00Z', expected: 'date-time', actual };
  }
  return issue;
};

const Time = (what: string) => Type.String({ format: 'date-time', description: what });
const StatusOf = (list: readonly DeliveryStatus[]) => Type.Union(list.map((s) => Type.Literal(s)));
const FILTER_FIELDS = {
  type: Type.Optional(EventType),
  from: Type.Optional(Time('Raised at or after this time')),
  to: Type.Optional(Time('Raised before this time')),
};
const ListQuery = explained(Type.Object({
  ...FILTER_FIELDS,
  status: Type.Optional(StatusOf(STATUSES)),
  cursor: Type.Optional(Type.String({ pattern: CURSOR, description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.String({ pattern: PAGE_LIMIT, description: `Page size, 1..${MAX_PAGE} (default ${DEFAULT_PAGE})` })),
}), explain('$.query'));
type ListQuery = Static<typeof ListQuery>;
const ReplayBody = explained(Type.Object({
  ...FILTER_FIELDS,
  status: Type.Optional(StatusOf(DONE_STATUSES)),
}, { additionalProperties: false }), explain('$'));
type ReplayBody = Static<typeof ReplayBody>;

// ── answers ──
const LastError = Type.Object({ code: Type.String(), message: Type.String(), at: Type.String() }, { additionalProperties: true });
const DELIVERY_FIELDS = {
  id: Type.String(),
  seq: Type.Integer({ description: 'Place in the tenant\'s queue; a resent event gets a new, higher one' }),
  type: Type.String(),
  status: StatusOf(STATUSES),
  reason: Type.Optional(Type.String()),
  attempts: Type.Integer({ description: 'Counted attempts since the event was (last) queued' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastAttemptAt: Type.Optional(Type.String({ format: 'date-time' })),
  nextAttemptAt: Type.Optional(Type.String({ format: 'date-time', description: 'Pending only' })),
  deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
  lastError: Type.Optional(LastError),
  requeuedAt: Type.Optional(Type.String({ format: 'date-time', description: 'Last resend or replay' })),
};
const Delivery = Type.Object(DELIVERY_FIELDS);
const Attempt = Type.Object({
  at: Type.String({ format: 'date-time' }),
  outcome: Type.Union([Type.Literal('delivered'), Type.Literal('failed')]),
  transport: Type.Optional(Type.Union([Type.Literal('ws'), Type.Literal('rest')])),
  node: Type.String(),
  latencyMs: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});
const DeliveryDetail = Type.Object({
  ...DELIVERY_FIELDS,
  event: Type.Object({}, { additionalProperties: true, description: 'The Event as the EPOS gets it' }),
  attemptLog: Type.Array(Attempt, { description: 'Newest first' }),
});
const Pause = Type.Union([Type.Object({ since: Type.String({ format: 'date-time' }), reason: Type.String() }), Type.Null()]);
const errors = errorResponses(...AUTHENTICATED_ERRORS);

export interface DeliveryRouteDeps {
  outbox: OutboxStore;
  worker: Pick<DeliveryWorker, 'kick'>;
  /** Attempts shown per event (limits.deliveryAttemptsKept). */
  attemptsKept: number;
  /** Events one replay queues at most (limits.deliveryReplayMax). */
  replayMax: number;
  now?: () => number;
}

export function deliveryRoutes(app: FastifyInstance, d: DeliveryRouteDeps): void {
  const now = d.now ?? Date.now;

  app.get(DELIVERIES_PATH, {
    // A form that sends every field (`?type=&status=`) means no filter by the empty ones.
    preValidation: dropEmpty,
    schema: {
      querystring: ListQuery,
      response: { 200: Type.Object({ deliveries: Type.Array(Delivery), paused: Pause, nextCursor: Type.Optional(Type.String()) }), ...errors },
    },
  }, async (req) => {
    const q = req.query as ListQuery;
    const tenant = tenantOf(req);
    const limit = q.limit === undefined ? DEFAULT_PAGE : Number(q.limit);
    const filter = filterOf(q, '$.query');
    // One more than asked: whether a next page exists, without a count.
    const rows = await d.outbox.deliveries(tenant, filter, { ...(q.cursor ? { before: Number(q.cursor) } : {}), limit: limit + 1 });
    const page = rows.slice(0, limit);
    const paused = await d.outbox.pauseOf(tenant);
    return {
      deliveries: page.map(deliveryView),
      paused: pauseView(paused),
      ...(rows.length > limit ? { nextCursor: String(page.at(-1)!.seq) } : {}),
    };
  });

  app.get(`${DELIVERIES_PATH}/:id`, {
    schema: { params: IdParam('id'), response: { 200: DeliveryDetail, ...errors, 404: ErrorBody } },
  }, async (req) => {
    const entry = await found(d.outbox, req);
    const attemptLog = await d.outbox.attempts(tenantOf(req), entry.event.id, d.attemptsKept);
    return { ...deliveryView(entry), event: entry.event, attemptLog };
  });

  app.post(`${DELIVERIES_PATH}/:id/resend`, {
    schema: { params: IdParam('id'), response: { 202: Type.Object({ delivery: Delivery }), ...errors, 404: ErrorBody, 503: ErrorBody } },
  }, async (req, reply) => {
    const entry = await found(d.outbox, req);
    // Already pending (a double click, or never finished): it will be sent; nothing is queued twice.
    if (entry.status === 'pending') return reply.code(202).send({ delivery: deliveryView(entry) });
    const [queued] = await d.outbox.requeue(tenantOf(req), { id: entry.event.id }, now(), 1);
    if (queued) d.worker.kick();
    // Not queued: it became pending meanwhile (another resend won); show it as it stands.
    const current = queued ?? await found(d.outbox, req);
    return reply.code(202).send({ delivery: deliveryView(current) });
  });

  app.post(`${DELIVERIES_PATH}/replay`, {
    schema: {
      body: ReplayBody,
      response: {
        202: Type.Object({
          queued: Type.Integer(),
          more: Type.Boolean({ description: `True when more events matched than one replay queues (${d.replayMax}): send it again for the next ones` }),
        }),
        ...errors, 503: ErrorBody,
      },
    },
  }, async (req, reply) => {
    const body = (req.body ?? {}) as ReplayBody;
    const filter = filterOf(body, '$');
    if (!filter.statuses) filter.statuses = REPLAY_DEFAULT_STATUSES;
    // Only finished events match, so a second click finds the first one's events pending and skips them.
    const tenant = tenantOf(req);
    const queued = await d.outbox.requeue(tenant, filter, now(), d.replayMax);
    if (queued.length) d.worker.kick();
    const more = queued.length === d.replayMax && (await d.outbox.deliveries(tenant, filter, { limit: 1 })).length > 0;
    return reply.code(202).send({ queued: queued.length, more });
  });

  app.post(`${DELIVERIES_PATH}/resume`, {
    schema: { response: { 200: Type.Object({ paused: Type.Null(), resumed: Type.Integer({ description: 'Pending events, all due now' }) }), ...errors, 503: ErrorBody } },
  }, async (req) => {
    const resumed = await d.outbox.resume(tenantOf(req), now());
    d.worker.kick();
    return { paused: null, resumed };
  });

  app.post(`${DELIVERIES_PATH}/pause`, {
    schema: { response: { 200: Type.Object({ paused: Pause }), ...errors, 503: ErrorBody } },
  }, async (req) => {
    const paused = await d.outbox.pause(tenantOf(req), { since: new Date(now()).toISOString(), reason: `paused by hand (${req.caller.keyId})` });
    return { paused: pauseView(paused) };
  });
}

function dropEmpty(req: FastifyRequest, _reply: unknown, done: () => void): void {
  const q = req.query as Record<string, unknown>;
  for (const k of Object.keys(q)) if (q[k] === '') delete q[k];
  done();
}

/** A Delivery as the API shows it. */
export function deliveryView(e: OutboxEntry): Static<typeof Delivery> {
  return {
    id: e.event.id,
    seq: e.seq,
    type: e.event.event,
    status: e.status,
    ...(e.reason ? { reason: e.reason } : {}),
    attempts: e.attempts,
    createdAt: e.event.createdAt,
    ...(e.lastAttemptAt ? { lastAttemptAt: e.lastAttemptAt } : {}),
    ...(e.status === 'pending' ? { nextAttemptAt: new Date(e.nextAttemptAt).toISOString() } : {}),
    ...(e.deliveredAt ? { deliveredAt: e.deliveredAt } : {}),
    ...(e.lastError ? { lastError: e.lastError } : {}),
    ...(e.requeuedAt ? { requeuedAt: e.requeuedAt } : {}),
  };
}

function pauseView(p: DeliveryPause | undefined): DeliveryPause | null {
  return p ? { since: p.since, reason: p.reason } : null;
}

/** The store's filter from a query or replay body; a time range that holds nothing is refused. */
function filterOf(q: { type?: string; status?: DeliveryStatus; from?: string; to?: string }, where: string): DeliveryFilter {
  const from = q.from !== undefined ? Date.parse(q.from) : undefined;
  const to = q.to !== undefined ? Date.parse(q.to) : undefined;
  if (from !== undefined && to !== undefined && from >= to) {
    throw validationFailed([{ path: `${where}.to`, message: 'to must be later than from (from is inclusive, to exclusive)', expected: `after ${q.from}`, actual: q.to }]);
  }
  return {
    ...(q.type !== undefined ? { type: q.type } : {}),
    ...(q.status !== undefined ? { statuses: [q.status] } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
}

async function found(outbox: OutboxStore, req: FastifyRequest): Promise<OutboxEntry> {
  const { id } = req.params as { id: string };
  const entry = await outbox.get(tenantOf(req), id);
  // Another tenant's id reads exactly as an unknown one.
  if (!entry) throw new PlatformError('NOT_FOUND', `no event delivery "${id}" for this account (${req.caller.env})`);
  return entry;
}

function tenantOf(req: FastifyRequest): Tenant {
  return { accountId: req.caller.accountId, env: req.caller.env };
}
