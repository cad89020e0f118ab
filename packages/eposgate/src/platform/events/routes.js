import { PlatformError } from "../errors.js";
import { eposEventView, parseEventRequest } from "./inbound.js";
import { eventView, raise } from "./outbound.js";
export const OUTBOUND_PATH = '/epos/data/v1/events';
export const INBOUND_PATH = '/epos/events';
export const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;
const STATUSES = ['pending', 'delivered', 'failed', 'skipped', 'expired'];
export function eventRoutes(app, d) {
    const now = d.now ?? (() => new Date());
    // ── products → EPOS ──
    app.post(OUTBOUND_PATH, async (req, reply) => {
        const { entry, created } = await raise(d.outbox, d.registry, req.caller, req.body, now());
        if (created && entry.status === 'pending')
            d.worker.kick();
        if (!created)
            void reply.header('idempotent-replayed', 'true');
        return reply.code(202).send(eventView(entry));
    });
    app.get(`${OUTBOUND_PATH}/:id`, async (req) => {
        const { id } = req.params;
        const entry = await d.outbox.get(tenantOf(req), id);
        if (!entry)
            throw new PlatformError('NOT_FOUND', `no event "${id}" was raised for this account (${req.caller.env})`);
        return eventView(entry);
    });
    app.get(OUTBOUND_PATH, async (req) => {
        const q = req.query;
        const status = q.status;
        if (status !== undefined && !STATUSES.includes(status)) {
            invalid({ path: '$.query.status', message: `status must be one of ${STATUSES.join(', ')}`, expected: STATUSES.join(' | '), actual: status });
        }
        const { after, limit } = page(q);
        const entries = await d.outbox.list(tenantOf(req), { ...(status ? { status: status } : {}), after, limit });
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
        const { after, limit } = page(req.query);
        const events = await d.eposEvents.list(tenantOf(req), after, limit);
        return { events: events.map(eposEventView), next: events.at(-1)?.seq ?? after };
    });
    app.get(`${INBOUND_PATH}/stream`, async (req, reply) => {
        const q = req.query;
        const lastEventId = req.headers['last-event-id'];
        const after = typeof lastEventId === 'string' && lastEventId !== ''
            ? cursor(lastEventId, '$.headers.last-event-id')
            : cursor(q.after, '$.query.after');
        d.hub.admit(tenantOf(req));
        reply.hijack();
        d.hub.open(tenantOf(req), req.caller.keyId, after, reply.raw);
    });
}
function tenantOf(req) {
    return { accountId: req.caller.accountId, env: req.caller.env };
}
function invalid(issue) {
    throw new PlatformError('VALIDATION_FAILED', `${issue.path}: ${issue.message}`, { details: [issue] });
}
function cursor(v, path) {
    if (v === undefined || v === '')
        return 0;
    if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) {
        invalid({ path, message: 'the cursor must be a sequence number (a non-negative integer)', expected: 'integer ≥ 0', actual: v });
    }
    return Number(v);
}
function page(q) {
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
