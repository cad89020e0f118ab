// Transport over an EPOS's REST API: keep-alive undici Agents shared by all tenants (one that
// refuses private targets at connect time, one that does not), one request per call, the answer
// classified by status and body.
import { Agent } from 'undici';
import { isEposError } from '@eposgate/contract';
import { normalizeRestResult } from '@eposgate/contract';
import { PlatformError, isPlatformError } from '../errors.ts';
import type { Tenant } from '../tenant.ts';
import type { Capability } from '@eposgate/contract';
import { cancelledError, eposErrorToPlatform, redactedBodyExcerpt } from './eposAnswer.ts';
import { redactedExcerpt } from '../redaction.ts';
import { silentLogger, type TransportLogger } from './log.ts';
import { buildEposHttpRequest, type EposHttpRequest, type RestTarget } from './eposHttpRequest.ts';
import { guardedConnector, type Resolve } from './targetGuard.ts';
import type { CallOptions, RequestorHeaders, Transport } from './transport.ts';

export type { RestTarget } from './eposHttpRequest.ts';

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
  /**
   * Whether this tenant's target is checked at connect time against the address policy
   * (addressPolicy.ts). Default: production tenants only.
   */
  guardTarget?: (tenant: Tenant) => boolean;
  /** DNS for guarded targets (tests stand in for it). Default: the system resolver. */
  lookupHost?: Resolve;
  /** Longest excerpt of an answer body quoted in an error message. Default 200. */
  excerptChars?: number;
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
  private readonly guardedAgent: Agent;
  private readonly guardTarget: (tenant: Tenant) => boolean;
  private readonly excerptChars: number;
  private readonly maxResponseBytes: number;
  private readonly log: TransportLogger;
  private readonly debug: boolean;

  constructor(private readonly opts: RestTransportOptions) {
    const pool = {
      connections: opts.connectionsPerOrigin ?? 16,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 10_000,
      maxResponseSize: opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    };
    const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.agent = new Agent({ ...pool, connect: { timeout: connectTimeoutMs } });
    // Separate pools: a socket opened unchecked for one tenant is never reused for a guarded one.
    this.guardedAgent = new Agent({ ...pool, connect: guardedConnector({ timeoutMs: connectTimeoutMs, ...(opts.lookupHost ? { resolve: opts.lookupHost } : {}) }) });
    this.guardTarget = opts.guardTarget ?? ((t) => t.env === 'production');
    this.excerptChars = opts.excerptChars ?? 200;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.log = opts.logger ?? silentLogger();
    // Checked once: building the per-call debug record costs even when pino drops it.
    this.debug = (this.log as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled?.('debug') ?? true;
  }

  async call(tenant: Tenant, capability: Capability, params: Record<string, unknown>, headers: RequestorHeaders, opts: CallOptions): Promise<unknown> {
    if (opts.signal?.aborted) throw cancelledError(opts.signal);
    const target = await this.opts.resolve(tenant);
    if (!target) throw new PlatformError('EPOS_NOT_CONNECTED', 'no REST integration registered for this account/environment');
    const req = buildEposHttpRequest(target, capability, params, headers);

    // A caller's signal or a sub-second timeout needs our own AbortController and timer. Otherwise
    // undici's header and body timeouts (coarse, ~1 s resolution) bound the call, which spares an
    // AbortController, a timer and two listeners per call (~5% of the adapter's CPU, BENCHMARKS.md).
    const precise = opts.signal !== undefined || opts.timeoutMs < 1000;
    const deadline = precise ? new AbortController() : undefined;
    let timedOut = false;
    const timer = deadline && setTimeout(() => { timedOut = true; deadline.abort(); }, opts.timeoutMs);
    const onAbort = () => deadline?.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    try {
      const agent = this.guardTarget(tenant) ? this.guardedAgent : this.agent;
      const answer = await this.send(agent, req, opts.timeoutMs, deadline?.signal);
      if (this.debug) this.log.debug({ method: req.method, host: req.host, path: req.path, status: answer.status, ms: Math.round(performance.now() - started) }, 'EPOS REST call');
      return normalizeRestResult(capability, classify(answer, capability.name, this.excerptChars));
    } catch (e) {
      if (timedOut || code(e) === 'UND_ERR_HEADERS_TIMEOUT' || code(e) === 'UND_ERR_BODY_TIMEOUT') {
        throw new PlatformError('EPOS_TIMEOUT', `the EPOS did not answer ${req.method} ${req.path} within ${opts.timeoutMs} ms`);
      }
      if (code(e) === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') throw tooLarge(this.maxResponseBytes);
      if (opts.signal?.aborted) throw cancelledError(opts.signal);
      if (isPlatformError(e)) throw e;
      throw unreachable(req.host, e, this.log);
    } finally {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the pooled sockets. */
  async close(): Promise<void> {
    await Promise.all([this.agent.close(), this.guardedAgent.close()]);
  }

  /** close() did not finish (an EPOS still sending a body): the pooled sockets are destroyed. */
  abort(): void {
    for (const a of [this.agent, this.guardedAgent]) a.destroy().catch(() => {});
  }

  private async send(agent: Agent, req: EposHttpRequest, timeoutMs: number, signal: AbortSignal | undefined): Promise<Answer> {
    const res = await agent.request({
      origin: req.origin,
      path: req.path,
      method: req.method,
      headers: req.headers,
      body: req.body,
      ...(signal ? { signal } : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const contentType = String(res.headers['content-type'] ?? '');
    // The agent's maxResponseSize stops a larger body (UND_ERR_RES_EXCEEDED_MAX_SIZE).
    return { status: res.statusCode, contentType, text: await res.body.text() };
  }
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Status rules: 2xx → parsed JSON (empty → null); non-2xx with an EPOSError → EPOS_ERROR; else EPOS_BAD_RESPONSE. */
function classify(a: Answer, capabilityName: string, excerptChars: number): unknown {
  const ct = a.contentType || 'none';
  const empty = !/\S/.test(a.text);
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
      throw new PlatformError('EPOS_BAD_RESPONSE', `EPOS answered non-JSON (content-type ${ct}) to ${capabilityName}: ${redactedBodyExcerpt(a.text, excerptChars)}`);
    }
    return parsed.value;
  }
  if (parsed.ok && isEposError(parsed.value)) {
    // Passed on to the caller as the contract defines an EPOSError: its three fields, nothing else the body held.
    const { errorType, debugMessage, traceId } = parsed.value;
    throw eposErrorToPlatform({
      errorType,
      ...(typeof debugMessage === 'string' ? { debugMessage } : {}),
      ...(typeof traceId === 'string' ? { traceId } : {}),
    });
  }
  // Only a short, redacted excerpt: the target may be a service whose answer is not the caller's to read.
  const quoted = parsed.ok ? redactedExcerpt(parsed.value, excerptChars) : redactedBodyExcerpt(a.text, excerptChars);
  const body = empty ? 'an empty body' : `${parsed.ok ? 'a body that is not an EPOSError' : `non-JSON (content-type ${ct})`}: ${quoted}`;
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

function unreachable(host: string, e: unknown, log: TransportLogger): PlatformError {
  const c = code(e);
  const tls = c !== undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(c);
  const why = c ? `${c}: ${NETWORK_CAUSES[c] ?? (tls ? 'TLS certificate rejected' : (e as Error).message)}` : String((e as Error)?.message ?? e);
  log.warn({ host, cause: why }, 'EPOS REST endpoint unreachable');
  return new PlatformError('EPOS_UNREACHABLE', `could not reach the EPOS at ${host} (${why})`);
}
