// HTTP face of events, both directions:
//   products → EPOS:  POST /epos/data/v1/events, GET /epos/data/v1/events[/{id}]
//   EPOS → products:  POST /epos/events, GET /epos/events, GET /epos/events/stream (SSE)
// Every route is authenticated by the app's onRequest hook and sees only the caller's tenant.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PlatformError, type FieldIssue } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { DeliveryStatus, EposEventStore, OutboxStore } from '../store/store.ts';
import type { Tenant } from '../tenant.ts';
import { eposEventView, parseEventRequest } from './inbound.ts';
import { eventView, raise } from './outbound.ts';
import type { StreamHub } from './stream.ts';
import type { DeliveryWorker } from './worker.ts';

export const OUTBOUND_PATH = '/epos/data/v1/events';
export const INBOUND_PATH = '/epos/events';
export const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;
const STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed', 'skipped', 'expired'];

export interface EventRouteDeps {
  outbox: OutboxStore;
  eposEvents: EposEventStore;
  registry: Registry;
  worker: DeliveryWorker;
  hub: StreamHub;
  now?: () => Date;
}

export function eventRoutes(app: FastifyInstance, d: EventRouteDeps): void {
  const now = d.now ?? (() => new Date());

  // ── products → EPOS ──
  app.post(OUTBOUND_PATH, async (req, reply) => {
    const { entry, created } = await raise(d.outbox, d.registry, req.caller, req.body, now());
    if (created && entry.status === 'pending') d.worker.kick();
    if (!created) void reply.header('idempotent-replayed', 'true');
    return reply.code(202).send(eventView(entry));
  });

  app.get(`${OUTBOUND_PATH}/:id`, async (req) => {
    const { id } = req.params as { id: string };
    const entry = await d.outbox.get(tenantOf(req), id);
    if (!entry) throw new PlatformError('NOT_FOUND', `no event "${id}" was raised for this account (${req.caller.env})`);
    return eventView(entry);
  });

  app.get(OUTBOUND_PATH, async (req) => {
    const q = req.query as Record<string, unknown>;
    const status = q.status;
    if (status !== undefined && !STATUSES.includes(status as DeliveryStatus)) {
      invalid({ path: '$.query.status', message: `status must be one of ${STATUSES.join(', ')}`, expected: STATUSES.join(' | '), actual: status });
    }
    const { after, limit } = page(q);
    const entries = await d.outbox.list(tenantOf(req), { ...(status ? { status: status as DeliveryStatus } : {}), after, limit });
    return { events: entries.map(eventView), next: entries.at(-1)?.seq ?? after };
  });

  // ── EPOS → products ──
  app.post(INBOUND_PATH, async (req) => {
    const body = parseEventRequest(req.body);
    await d.eposEvents.append({
      tenant: tenantOf(req),
      eventType: body.eventType,
      event: body.event,
      receivedAt: now().toISOString(),
      keyId: req.caller.keyId,
      softwareHouseId: req.caller.softwareHouseId,
      ...(req.caller.resellerId ? { resellerId: req.caller.resellerId } : {}),
    });
    d.hub.notify(req.caller);
    return body;
  });

  app.get(INBOUND_PATH, async (req) => {
    const { after, limit } = page(req.query as Record<string, unknown>);
    const events = await d.eposEvents.list(tenantOf(req), after, limit);
    return { events: events.map(eposEventView), next: events.at(-1)?.seq ?? after };
  });

  app.get(`${INBOUND_PATH}/stream`, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const lastEventId = req.headers['last-event-id'];
    const after = typeof lastEventId === 'string' && lastEventId !== ''
      ? cursor(lastEventId, '$.headers.last-event-id')
      : cursor(q.after, '$.query.after');
    d.hub.admit(tenantOf(req));
    reply.hijack();
    d.hub.open(tenantOf(req), req.caller.keyId, after, reply.raw);
  });
}

function tenantOf(req: FastifyRequest): Tenant {
  return { accountId: req.caller.accountId, env: req.caller.env };
}

function invalid(issue: FieldIssue): never {
  throw new PlatformError('VALIDATION_FAILED', `${issue.path}: ${issue.message}`, { details: [issue] });
}

function cursor(v: unknown, path: string): number {
  if (v === undefined || v === '') return 0;
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) {
    invalid({ path, message: 'the cursor must be a sequence number (a non-negative integer)', expected: 'integer ≥ 0', actual: v });
  }
  return Number(v);
}

function page(q: Record<string, unknown>): { after: number; limit: number } {
  const after = cursor(q.after, '$.query.after');
  let limit = DEFAULT_PAGE;
  if (q.limit !== undefined) {
    const n = typeof q.limit === 'string' && /^\d{1,4}$/.test(q.limit) ? Number(q.limit) : NaN;
    if (!(n >= 1 && n <= MAX_PAGE)) {
      invalid({ path: '$.query.limit', message: `limit must be an integer from 1 to ${MAX_PAGE}`, expected: `1..${MAX_PAGE}`, actual: q.limit });
    }
    limit = n;
  }
  return { after, limit };
}
