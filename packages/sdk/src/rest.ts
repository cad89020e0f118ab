// restHandler: the EPOS side of the REST transport as a plain node (req, res) handler. Routes come
// from the catalogue's `rest` rows; only implemented capabilities are served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { EVENT_PREFIX, requestorFromHttp, type CapabilityDef } from '@eposgate/contract';
import type { EPOSError } from '@eposgate/contract';
import { REST_STATUS } from './errors.ts';
import type { Epos } from './define.ts';
import { basicAuthMatches } from './basicAuth.ts';

export interface RestOptions {
  /** Basic-auth credentials the platform was registered with. */
  username: string;
  password: string;
  /** Mount point inside your server, e.g. `/dojo` when the registered url ends in /dojo (default none). */
  basePath?: string;
  /** Largest accepted JSON body in bytes (default 1 MiB). */
  bodyLimit?: number;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  /** Capabilities sharing this route (the event types share POST /v1/events). */
  defs: CapabilityDef[];
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const src = path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (m) {
        names.push(m[1]);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { pattern: new RegExp(`^${src}/?$`), names };
}

function buildRoutes(epos: Epos): Route[] {
  const routes: Route[] = [];
  for (const def of epos.capabilities) {
    if (!def.rest) continue;
    const existing = routes.find((r) => r.method === def.rest!.method && r.pattern.source === compile(def.rest!.path).pattern.source);
    if (existing) {
      existing.defs.push(def);
      continue;
    }
    routes.push({ method: def.rest.method, ...compile(def.rest.path), defs: [def] });
  }
  return routes;
}

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function sendError(res: ServerResponse, error: EPOSError, status = REST_STATUS[error.errorType] ?? 500, extra: Record<string, string> = {}): void {
  send(res, status, error, extra);
}

class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyError(413, `body exceeds ${limit} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new BodyError(413, `body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

/** A REST handler that can also be given an already-read body (for frameworks that read it first). */
export type RestCore = (req: IncomingMessage, res: ServerResponse, bodyText?: string) => Promise<void>;

export function restHandler(epos: Epos, opts: RestOptions): NodeHandler {
  const core = restCore(epos, opts);
  return (req, res) => {
    void core(req, res);
  };
}

export function restCore(epos: Epos, opts: RestOptions): RestCore {
  const routes = buildRoutes(epos);
  void epos.prepare?.();
  const limit = opts.bodyLimit ?? 1024 * 1024;
  const base = (opts.basePath ?? '').replace(/\/+$/, '');

  return (req, res, bodyText) =>
    handle(req, res, bodyText).catch(() => {
      try {
        if (!res.headersSent) sendError(res, { errorType: 'UnexpectedError', debugMessage: 'request handling failed' });
        else res.destroy();
      } catch {
        res.destroy(); // the response is already gone: nothing left to tell the caller
      }
    });

  async function handle(req: IncomingMessage, res: ServerResponse, bodyText?: string): Promise<void> {
    const traceId = randomUUID();
    if (!basicAuthMatches(req.headers.authorization, opts)) {
      if (bodyText === undefined) req.resume();
      sendError(res, { errorType: 'InvalidRequest', debugMessage: 'missing or wrong basic-auth credentials', traceId }, 401, {
        'www-authenticate': 'Basic realm="epos", charset="UTF-8"',
      });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://epos.local');
    let path = url.pathname;
    if (base) {
      if (path !== base && !path.startsWith(`${base}/`)) return notFound(req, res, traceId);
      path = path.slice(base.length) || '/';
    }
    const method = (req.method ?? 'GET').toUpperCase();
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    let pathMatched = false;
    for (const r of routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method) {
        route = r;
        match = m;
        break;
      }
    }
    if (!route || !match) {
      if (bodyText === undefined) req.resume();
      if (pathMatched) {
        sendError(res, { errorType: 'InvalidRequest', debugMessage: `${method} is not supported on ${path}`, traceId }, 405);
        return;
      }
      return notFound(req, res, traceId);
    }

    let body: unknown = {};
    try {
      const text = bodyText ?? (await readBody(req, limit));
      if (text.trim() !== '') body = JSON.parse(text);
    } catch (e) {
      const status = e instanceof BodyError ? e.status : 400;
      const msg = e instanceof BodyError ? e.message : 'body is not valid JSON';
      sendError(res, { errorType: 'InvalidRequest', debugMessage: msg, traceId }, status);
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      sendError(res, { errorType: 'InvalidRequest', debugMessage: 'body must be a JSON object', traceId });
      return;
    }

    const pathParams: Record<string, string> = {};
    try {
      route.names.forEach((n, i) => (pathParams[n] = decodeURIComponent(match![i + 1])));
    } catch {
      sendError(res, { errorType: 'InvalidRequest', debugMessage: 'malformed path parameter', traceId });
      return;
    }
    // Path parameters win over body fields of the same name: the URL names the entity.
    const params = { ...(body as Record<string, unknown>), ...pathParams };

    let def = route.defs[0];
    if (def.name.startsWith(EVENT_PREFIX)) {
      const wanted = `${EVENT_PREFIX}${String((params as { event?: unknown }).event)}`;
      const found = route.defs.find((d) => d.name === wanted);
      if (!found) {
        sendError(res, { errorType: 'InvalidRequest', debugMessage: `event ${JSON.stringify((params as { event?: unknown }).event)} is not handled by this EPOS`, traceId });
        return;
      }
      def = found;
    }

    const out = await epos.invoke(def.name, params, { headers: requestorFromHttp(req.headers), transport: 'rest', traceId, drop: () => req.socket.destroy() });
    if (out.ok) send(res, 200, out.result);
    else sendError(res, out.error);
  }

  function notFound(req: IncomingMessage, res: ServerResponse, traceId: string): void {
    if (!req.readableEnded) req.resume();
    sendError(res, { errorType: 'NotFound', debugMessage: `no route for ${req.method} ${req.url}`, traceId });
  }
}
