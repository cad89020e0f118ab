// `eposgate test --epos-url` without --capabilities: finds which capabilities a REST EPOS serves by
// asking each catalogue route once. The rule (docs/tester.md):
// - a capability counts unless its route answers 405, or 404 the way a path that exists nowhere
//   answers ("no route": same status and same body once the path, ids and times are taken out);
// - event types share POST /v1/events, so each counts only when a well-formed event of that type
//   (about a payment intent that belongs to no order, as the Payment Events flow sends) gets a 2xx.
// Other probes carry an empty JSON object as body (which the contract rejects) and ids that exist
// nowhere, so an EPOS that checks its input changes nothing.
import { randomUUID } from 'node:crypto';
import { CAPABILITIES, EVENT_PREFIX, type CapabilityName } from '@eposgate/contract';
import { isEposError } from '@eposgate/contract';
import { clip } from '../platform/limits.ts';

export interface ProbeOptions {
  url: string;
  username: string;
  password: string;
  /** The account the in-process platform tests as (events name it). */
  accountId: string;
  timeoutMs?: number;
}

export interface ProbeResult {
  /** Capabilities whose route answered, with what (e.g. "HTTP 404 NotFound"). */
  answered: Array<{ capability: CapabilityName; answer: string }>;
  /** Capabilities that got the "no route" answer. */
  noRoute: CapabilityName[];
  /** Set when the EPOS refused the credentials: what it answered. */
  refused?: string;
  /** Set when the EPOS could not be reached at all. */
  unreachable?: string;
}

interface Answer {
  status: number;
  text: string;
}

class Unreachable extends Error {}

const PROBE = 'eposgate-probe';

export async function probeRestEpos(o: ProbeOptions): Promise<ProbeResult> {
  const base = o.url.replace(/\/+$/, '');
  const auth = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const ask = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: { authorization: auth, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.cause?.code ?? e.cause?.message ?? e.message;
      throw new Unreachable(`cannot reach the EPOS at ${base} (${method} ${path}: ${why})`);
    }
    return { status: res.status, text: await res.text() };
  };

  const rand = randomUUID().slice(0, 8);
  const routed = CAPABILITIES.filter((c) => c.status === 'stable' && c.rest);
  const methods = [...new Set(routed.map((c) => c.rest!.method))];
  const baselines = new Map<string, { path: string; answer: Answer }>();
  try {
    for (const m of methods) {
      const path = `/v1/${PROBE}-route-${rand}`;
      baselines.set(m, { path, answer: await ask(m, path, m === 'POST' || m === 'PUT' ? {} : undefined) });
    }
  } catch (err) {
    if (err instanceof Unreachable) return { answered: [], noRoute: [], unreachable: err.message };
    throw err;
  }
  const first = baselines.values().next().value!.answer;
  if (first.status === 401 || first.status === 403) return { answered: [], noRoute: [], refused: describe(first) };

  const result: ProbeResult = { answered: [], noRoute: [] };
  const answers = await Promise.all(routed.map(async (c) => {
    const route = c.rest!;
    const path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => `${PROBE}-${name}-${rand}`);
    try {
      if (c.name.startsWith(EVENT_PREFIX)) {
        const type = c.name.slice(EVENT_PREFIX.length);
        const event = {
          id: `${PROBE}-evt-${type}-${rand}`, accountId: o.accountId, event: type,
          data: { paymentIntentId: `${PROBE}-pi-${rand}`, paymentStatus: type.endsWith('created') ? 'Created' : 'Captured', captureMode: 'Auto' },
          createdAt: new Date().toISOString(),
        };
        const a = await ask(route.method, path, event);
        return { c, a, counts: a.status >= 200 && a.status < 300 };
      }
      const a = await ask(route.method, path, route.method === 'POST' || route.method === 'PUT' ? {} : undefined);
      const none = baselines.get(route.method)!;
      const noRoute = a.status === 405 || (a.status === 404 && none.answer.status === 404 && normalise(a.text, path) === normalise(none.answer.text, none.path));
      return { c, a, counts: !noRoute };
    } catch (err) {
      if (err instanceof Unreachable) return { c, a: undefined, counts: false, err: err.message };
      throw err;
    }
  }));
  for (const { c, a, counts, err } of answers as Array<{ c: (typeof routed)[number]; a?: Answer; counts: boolean; err?: string }>) {
    if (err && !result.unreachable) result.unreachable = err;
    if (counts && a) result.answered.push({ capability: c.name, answer: describe(a) });
    else result.noRoute.push(c.name);
  }
  const statuses = answers.flatMap((x) => (x.counts && x.a ? [x.a.status] : []));
  if (statuses.length && statuses.every((s) => s === 401 || s === 403)) {
    result.refused = describe(answers.find((x) => x.counts && x.a)!.a!);
  }
  return result;
}

/** "HTTP 404 NotFound: order … not found" or "HTTP 200". */
function describe(a: Answer): string {
  let said = '';
  try {
    const body: unknown = JSON.parse(a.text);
    if (isEposError(body)) said = ` ${body.errorType}${body.debugMessage ? `: ${clip(body.debugMessage.replace(/\s+/g, ' '), 200)}` : ''}`;
  } catch { /* not JSON */ }
  if (!said && a.status >= 300 && a.text.trim()) said = `: ${clip(a.text.replace(/\s+/g, ' ').trim(), 200)}`;
  return `HTTP ${a.status}${said}`;
}

/** A body with what differs between two "no route" answers taken out: the path, ids, times. */
function normalise(text: string, path: string): string {
  return text
    .split(path).join('{path}')
    .split(encodeURI(path)).join('{path}')
    .replace(/"(trace[_-]?id|request[_-]?id|timestamp|time|date)"\s*:\s*("[^"]*"|\d+)/gi, '"$1":_')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '_')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g, '_');
}
