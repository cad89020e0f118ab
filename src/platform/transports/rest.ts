// Transport over an EPOS's REST API: one keep-alive undici Agent for all tenants, one request per
// call, the answer classified by status and body.
import { Agent } from 'undici';
import { isEposError } from '../../contract/eposError.ts';
import { normalizeRestResult } from '../../contract/rest.ts';
import { PlatformError, isPlatformError } from '../errors.ts';
import type { Tenant } from '../tenant.ts';
import type { Capability } from '../../contract/catalogue.ts';
import { cancelledError, eposErrorToPlatform, excerpt } from './eposAnswer.ts';
import { silentLogger, type TransportLogger } from './log.ts';
import { buildRestRequest, hostPort, type RestRequest, type RestTarget } from './restRequest.ts';
import type { CallOptions, RequestorHeaders, Transport } from './transport.ts';

export type { RestTarget } from './restRequest.ts';

export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface RestTransportOptions {
  /** The tenant's registered REST integration, or undefined when it has none. */
  resolve(tenant: Tenant): Promise<RestTarget | undefined>;
  /** Most sockets kept open to one EPOS origin. Default 16. */
  connectionsPerOrigin?: number;
  /** How long an idle keep-alive socket is kept. Default 10 s. */
  keepAliveTimeoutMs?: number;
  /** TCP/TLS connect limit (the call's own timeout still applies). Default 5 s. */
  connectTimeoutMs?: number;
  /** Largest answer body accepted. Default 4 MiB. */
  maxResponseBytes?: number;
  logger?: TransportLogger;
}

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the EPOS',
  UND_ERR_CLOSED: 'connection closed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
};

export class RestTransport implements Transport {
  readonly kind = 'rest' as const;
  private readonly agent: Agent;
  private readonly maxResponseBytes: number;
  private readonly log: TransportLogger;

  constructor(private readonly opts: RestTransportOptions) {
    this.agent = new Agent({
      connections: opts.connectionsPerOrigin ?? 16,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 10_000,
      connect: { timeout: opts.connectTimeoutMs ?? 5000 },
    });
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.log = opts.logger ?? silentLogger();
  }

  async call(tenant: Tenant, capability: Capability, params: Record<string, unknown>, headers: RequestorHeaders, opts: CallOptions): Promise<unknown> {
    if (opts.signal?.aborted) throw cancelledError(opts.signal);
    const target = await this.opts.resolve(tenant);
    if (!target) throw new PlatformError('EPOS_NOT_CONNECTED', 'no REST integration registered for this account/environment');
    const req = buildRestRequest(target, capability, params, headers);

    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; deadline.abort(); }, opts.timeoutMs);
    const onAbort = () => deadline.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    try {
      const answer = await this.send(req, opts.timeoutMs, deadline.signal);
      this.log.debug({ method: req.method, host: hostPort(req.url), path: req.url.pathname, status: answer.status, ms: Math.round(performance.now() - started) }, 'EPOS REST call');
      return normalizeRestResult(capability, classify(answer, capability.name));
    } catch (e) {
      if (timedOut || code(e) === 'UND_ERR_HEADERS_TIMEOUT' || code(e) === 'UND_ERR_BODY_TIMEOUT') {
        throw new PlatformError('EPOS_TIMEOUT', `the EPOS did not answer ${req.method} ${req.url.pathname} within ${opts.timeoutMs} ms`);
      }
      if (opts.signal?.aborted) throw cancelledError(opts.signal);
      if (isPlatformError(e)) throw e;
      throw unreachable(req.url, e, this.log);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the pooled sockets. */
  close(): Promise<void> {
    return this.agent.close();
  }

  private async send(req: RestRequest, timeoutMs: number, signal: AbortSignal): Promise<Answer> {
    const res = await this.agent.request({
      origin: req.url.origin,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const contentType = String(res.headers['content-type'] ?? '');
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      res.body.destroy();
      throw tooLarge(this.maxResponseBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > this.maxResponseBytes) {
        res.body.destroy();
        throw tooLarge(this.maxResponseBytes);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, contentType, text: Buffer.concat(chunks).toString('utf8') };
  }
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Status rules: 2xx → parsed JSON (empty → null); non-2xx with an EPOSError → EPOS_ERROR; else EPOS_BAD_RESPONSE. */
function classify(a: Answer, capabilityName: string): unknown {
  const ct = a.contentType || 'none';
  const empty = a.text.trim() === '';
  let parsed: { ok: true; value: unknown } | { ok: false } = { ok: false };
  if (!empty) {
    try {
      parsed = { ok: true, value: JSON.parse(a.text) };
    } catch {
      parsed = { ok: false };
    }
  }
  if (a.status >= 200 && a.status < 300) {
    if (a.status === 204 || empty) return null;
    if (!parsed.ok) {
      throw new PlatformError('EPOS_BAD_RESPONSE', `EPOS answered non-JSON (content-type ${ct}) to ${capabilityName}: ${excerpt(a.text, 120)}`);
    }
    return parsed.value;
  }
  if (parsed.ok && isEposError(parsed.value)) throw eposErrorToPlatform(parsed.value);
  const body = empty ? 'an empty body' : `${parsed.ok ? 'a body that is not an EPOSError' : `non-JSON (content-type ${ct})`}: ${excerpt(a.text, 120)}`;
  throw new PlatformError('EPOS_BAD_RESPONSE', `EPOS answered HTTP ${a.status} to ${capabilityName} with ${body}`);
}

function tooLarge(max: number): PlatformError {
  return new PlatformError('EPOS_BAD_RESPONSE', `the EPOS answer exceeded the ${max}-byte limit`);
}

function code(e: unknown): string | undefined {
  const err = e as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | null;
  const c = err?.code ?? err?.cause?.code ?? err?.errors?.[0]?.code;
  return typeof c === 'string' ? c : undefined;
}

function unreachable(url: URL, e: unknown, log: TransportLogger): PlatformError {
  const c = code(e);
  const tls = c !== undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(c);
  const why = c ? `${c}: ${NETWORK_CAUSES[c] ?? (tls ? 'TLS certificate rejected' : (e as Error).message)}` : String((e as Error)?.message ?? e);
  log.warn({ host: hostPort(url), cause: why }, 'EPOS REST endpoint unreachable');
  return new PlatformError('EPOS_UNREACHABLE', `could not reach the EPOS at ${hostPort(url)} (${why})`);
}
