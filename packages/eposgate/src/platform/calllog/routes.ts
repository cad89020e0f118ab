// GET /epos/logs, /epos/logs/{id}, /epos/logs/stats: the tenant's own calls, newest first, paged by
// an opaque cursor (the (at, seq) of the last row shown: keyset paging, so calls written meanwhile
// never shift a page), and per-capability series for the console's charts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { findCapability } from '@eposgate/contract';
import { ERROR_CODES, PlatformError, validationFailed, type FieldIssue } from '../errors.ts';
import type { Limits } from '../limits.ts';
import { AUTHENTICATED_ERRORS, ErrorBody, errorResponses, IdParam } from '../server/schemas.ts';
import { explained, type Explain } from '../server/validation.ts';
import { PAGE_DEFAULT as DEFAULT_PAGE, PAGE_LIMIT, PAGE_MAX as MAX_PAGE } from '../server/paging.ts';
import type { CallQuery, CallStore, StoredCall } from '../store/store.ts';
import type { Tenant } from '../tenant.ts';
import { callStats } from './stats.ts';

/** Stats without a range cover the last hour, in minutes. */
const DEFAULT_STATS_RANGE_MS = 60 * 60 * 1000;
const DEFAULT_BUCKET_SECONDS = 60;
const MAX_BUCKET_SECONDS = 86_400;

const explainQuery: Explain = (issue, e) => {
  const actual: unknown = e.data;
  if (issue.path === '$.query.limit') return { path: issue.path, message: `limit must be an integer from 1 to ${MAX_PAGE}`, expected: `1..${MAX_PAGE}`, actual };
  if (issue.path === '$.query.bucketSeconds') {
    return { path: issue.path, message: `bucketSeconds must be an integer from 1 to ${MAX_BUCKET_SECONDS}`, expected: `1..${MAX_BUCKET_SECONDS}`, actual };
  }
  if (issue.path === '$.query.cursor') return { path: issue.path, message: 'cursor must be the nextCursor of a previous page', expected: 'nextCursor', actual };
  return issue;
};
const Time = (what: string) => Type.String({ maxLength: 40, description: `${what}: an ISO date-time (inclusive)` });
const Capability = Type.String({ maxLength: 100, description: 'A capability name, e.g. GetOrderById' });
const LogsQuery = explained(Type.Object({
  capability: Type.Optional(Capability),
  status: Type.Optional(Type.String({ maxLength: 64, description: '`ok`, `error`, or an error code (e.g. EPOS_NOT_CONNECTED)' })),
  from: Type.Optional(Time('Calls made at or after')),
  to: Type.Optional(Time('Calls made at or before')),
  cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.String({ pattern: PAGE_LIMIT, description: `Page size, 1..${MAX_PAGE} (default ${DEFAULT_PAGE})` })),
}), explainQuery);
const StatsQuery = explained(Type.Object({
  capability: Type.Optional(Capability),
  from: Type.Optional(Time('Range start (default: an hour before `to`)')),
  to: Type.Optional(Time('Range end (default: now)')),
  bucketSeconds: Type.Optional(Type.String({ pattern: '^\\d{1,6}$', description: `Bucket width, 1..${MAX_BUCKET_SECONDS} s (default ${DEFAULT_BUCKET_SECONDS})` })),
}), explainQuery);

const CallSummary = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time', description: 'When the call began' }),
  capability: Type.String(),
  transport: Type.Union([Type.Literal('ws'), Type.Literal('rest'), Type.Null()], { description: 'null: refused before an EPOS was picked' }),
  node: Type.String({ description: 'The platform node that made the call' }),
  source: Type.Union([Type.Literal('data-api'), Type.Literal('tester'), Type.Literal('events')]),
  status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  errorCode: Type.Optional(Type.String()),
  latencyMs: Type.Number(),
  requestor: Type.Record(Type.String(), Type.String(), { description: 'The requestor headers the EPOS got (softwareHouseId, resellerId, …)' }),
});
const CallDetail = Type.Intersect([CallSummary, Type.Object({
  request: Type.Object({ params: Type.Unknown({ description: 'Secret-like fields "[redacted]"; a string excerpt when cut' }) }),
  response: Type.Union([
    Type.Object({ result: Type.Unknown() }),
    Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: true }) }),
  ]),
  truncated: Type.Boolean({ description: 'A body was longer than limits.callLogBodyChars and is an excerpt' }),
})]);
const StatsAnswer = Type.Object({
  bucketSeconds: Type.Integer(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  sampled: Type.Boolean({ description: 'The range held more than limits.callStatsRows calls: only the newest were counted' }),
  series: Type.Array(Type.Object({
    capability: Type.String(),
    points: Type.Array(Type.Object({
      at: Type.String({ format: 'date-time', description: 'Bucket start' }),
      calls: Type.Integer(), errors: Type.Integer(),
      p50Ms: Type.Union([Type.Number(), Type.Null()]), p99Ms: Type.Union([Type.Number(), Type.Null()]),
    })),
  })),
});
const errors = errorResponses(...AUTHENTICATED_ERRORS);

export function callLogRoutes(app: FastifyInstance, calls: CallStore, limits: Pick<Limits, 'callStatsRows' | 'callStatsBuckets'>,
  now: () => number = Date.now): void {
  app.get('/epos/logs', {
    schema: { querystring: LogsQuery, response: { 200: Type.Object({ logs: Type.Array(CallSummary), nextCursor: Type.Optional(Type.String()) }), ...errors } },
  }, async (req) => {
    const q = req.query as Static<typeof LogsQuery>;
    const limit = q.limit === undefined ? DEFAULT_PAGE : Number(q.limit);
    const query: CallQuery = { ...range(q), ...statusFilter(q.status), limit: limit + 1 };
    if (q.capability !== undefined) query.capability = capabilityName(q.capability);
    if (q.cursor !== undefined) query.before = decodeCursor(q.cursor);
    const rows = await calls.list(tenantOf(req), query);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { logs: page.map(summary), ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
  });

  app.get('/epos/logs/stats', { schema: { querystring: StatsQuery, response: { 200: StatsAnswer, ...errors } } }, async (req) => {
    const q = req.query as Static<typeof StatsQuery>;
    const r = range(q);
    const to = r.to ?? now();
    const from = r.from ?? to - DEFAULT_STATS_RANGE_MS;
    const issues: FieldIssue[] = [];
    if (from > to) issues.push({ path: `$.query.from`, message: `from must not be after to`, actual: q.from });
    const bucketSeconds = q.bucketSeconds === undefined ? DEFAULT_BUCKET_SECONDS : Number(q.bucketSeconds);
    if (bucketSeconds < 1 || bucketSeconds > MAX_BUCKET_SECONDS) {
      issues.push({ path: '$.query.bucketSeconds', message: `bucketSeconds must be an integer from 1 to ${MAX_BUCKET_SECONDS}`, expected: `1..${MAX_BUCKET_SECONDS}`, actual: q.bucketSeconds });
    }
    if (issues.length) throw validationFailed(issues);
    const buckets = Math.floor(to / 1000 / bucketSeconds) - Math.floor(from / 1000 / bucketSeconds) + 1;
    if (buckets > limits.callStatsBuckets) {
      const need = Math.ceil((to - from) / 1000 / (limits.callStatsBuckets - 1));
      throw validationFailed([{
        path: '$.query.bucketSeconds',
        message: `the range holds ${buckets} buckets of ${bucketSeconds} s, more than ${limits.callStatsBuckets} (limits.callStatsBuckets): use bucketSeconds of at least ${need} or a shorter range`,
        expected: `at least ${need}`, actual: q.bucketSeconds ?? String(bucketSeconds),
      }]);
    }
    const capability = q.capability !== undefined ? capabilityName(q.capability) : undefined;
    const points = await calls.points(tenantOf(req), { from, to, ...(capability ? { capability } : {}), limit: limits.callStatsRows });
    return {
      bucketSeconds, from: new Date(from).toISOString(), to: new Date(to).toISOString(),
      sampled: points.length >= limits.callStatsRows,
      series: callStats(points, from, to, bucketSeconds),
    };
  });

  app.get('/epos/logs/:id', { schema: { params: IdParam('id'), response: { 200: CallDetail, ...errors, 404: ErrorBody } } }, async (req) => {
    const { id } = req.params as { id: string };
    const call = await calls.get(tenantOf(req), id);
    if (!call) throw new PlatformError('NOT_FOUND', `no call "${id}" in this account's call log (${req.caller.env})`);
    return detail(call);
  });
}

function tenantOf(req: FastifyRequest): Tenant {
  return { accountId: req.caller.accountId, env: req.caller.env };
}

/** from/to as epoch ms, both checked. */
function range(q: { from?: string; to?: string }): { from?: number; to?: number } {
  const issues: FieldIssue[] = [];
  const parse = (name: keyof typeof q): number | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    const ms = /^\d{4}-\d\d-\d\d/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) issues.push({ path: `$.query.${name}`, message: `${name} must be an ISO date-time, e.g. 2026-11-27T15:00:00Z`, expected: 'ISO date-time', actual: v });
    return ms;
  };
  const from = parse(`from`);
  const to = parse(`to`);
  if (!issues.length && from !== undefined && to !== undefined && from > to) {
    issues.push({ path: `$.query.from`, message: `from must not be after to`, expected: `at most ${q.to}`, actual: q.from });
  }
  if (issues.length) throw validationFailed(issues);
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

const STATUS_VALUES = new Set<string>(['ok', 'error', ...ERROR_CODES]);

function statusFilter(status: string | undefined): Pick<CallQuery, 'status' | 'errorCode'> {
  if (status === undefined) return {};
  if (!STATUS_VALUES.has(status)) {
    throw validationFailed([{
      path: '$.query.status', message: `status must be ok, error, or an error code (e.g. EPOS_NOT_CONNECTED); "${status.slice(0, 64)}" is none of these`,
      expected: 'ok | error | an error code', actual: status,
    }]);
  }
  if (status === 'ok' || status === 'error') return { status };
  return { status: 'error', errorCode: status };
}

function capabilityName(name: string): string {
  const cap = findCapability(name);
  if (!cap) throw validationFailed([{ path: '$.query.capability', message: `"${name}" is not a capability of the catalogue`, expected: 'a capability name, e.g. GetOrderById', actual: name }]);
  return cap.name;
}

function encodeCursor(c: StoredCall): string {
  return Buffer.from(`${c.atMs}.${c.seq}`).toString('base64url');
}

function decodeCursor(cursor: string): { atMs: number; seq: number } {
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!m) throw validationFailed([{ path: '$.query.cursor', message: 'cursor must be the nextCursor of a previous page', expected: 'nextCursor', actual: cursor }]);
  return { atMs: Number(m[1]), seq: Number(m[2]) };
}

function summary(c: StoredCall): Static<typeof CallSummary> {
  return {
    id: c.id, at: new Date(c.atMs).toISOString(), capability: c.capability, transport: c.transport, node: c.node, source: c.source,
    status: c.status, ...(c.errorCode !== undefined ? { errorCode: c.errorCode } : {}), latencyMs: c.latencyMs, requestor: c.requestor,
  };
}

/** A body as stored: the JSON itself, or (cut) the excerpt as a string. */
function parsed(text: string): { value: unknown; whole: boolean } {
  try {
    return { value: JSON.parse(text), whole: true };
  } catch {
    return { value: text, whole: false };
  }
}

function detail(c: StoredCall): Static<typeof CallDetail> {
  const response = parsed(c.response);
  const cut: { code: string; message: string } = { code: c.errorCode ?? 'INTERNAL', message: 'the error body was longer than limits.callLogBodyChars' };
  return {
    ...summary(c),
    request: { params: parsed(c.request).value },
    response: c.status === 'ok'
      ? { result: response.value }
      : { error: response.whole && typeof response.value === 'object' && response.value !== null
        ? response.value as { code: string; message: string }
        : Object.assign(cut, { excerpt: response.value }) },
    truncated: c.truncated,
  };
}
