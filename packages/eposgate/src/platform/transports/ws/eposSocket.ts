// One EPOS WebSocket: sends requests, matches answers to calls in flight, answers what the EPOS
// should not send, and keeps track of whether the peer is alive. Never throws on a bad frame.
import type { TransportLogger } from '../log.ts';
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { encodeErrorResponse, encodeRequest, parseFrame, RPC_METHOD_NOT_FOUND, type JsonRpcRequest } from '@eposgate/contract';
import { jsonDeeperThan } from '@eposgate/contract';
import { PlatformError, platformStopping } from '../../errors.ts';
import { tenantKey, type Caller } from '../../tenant.ts';
import { cancelledError, eposErrorToPlatform } from '../eposAnswer.ts';
import { clip, DEFAULT_LIMITS, type Limits } from '../../limits.ts';
import { PendingCalls, type SettleOutcome } from './pending.ts';
import { writeBatcher, type SdkInfo } from '@eposgate/contract';
import { TokenBucket } from './rate.ts';

export interface ConnectionInfo {
  /** Platform-assigned id of this socket, for logs and the connect/disconnect hooks. */
  connectionId: string;
  caller: Caller;
  remoteAddress?: string;
  connectedAt: Date;
  /** What the EPOS said it runs (the `eposgate-sdk` upgrade header), when it said it well-formed. */
  sdk?: SdkInfo;
}

export interface DisconnectInfo extends ConnectionInfo {
  code: number;
  reason: string;
  /** Why the platform ended it, when it did (dead peer, oversized frame, shutdown). */
  cause?: string;
}

/** Counters of frames both ways, and of what the EPOS sent that the platform could not use. */
export interface FrameStats {
  /** Frames received from EPOSes, and sent to them. */
  framesIn: number;
  framesOut: number;
  /** Frames past the inbound rates (the socket was closed for them). */
  framesRefused: number;
  badFrames: number;
  binaryFrames: number;
  unknownIds: number;
  lateAnswers: number;
  peerMessages: number;
}

export function emptyFrameStats(): FrameStats {
  return { framesIn: 0, framesOut: 0, framesRefused: 0, badFrames: 0, binaryFrames: 0, unknownIds: 0, lateAnswers: 0, peerMessages: 0 };
}

/** The limits one socket enforces (limits.ts). */
export type ConnectionLimits = Pick<Limits,
  'socketOutboundBytes' | 'framesPerSecond' | 'frameBurst' | 'inboundBytesPerSecond' | 'jsonDepth'
  | 'logStringChars' | 'errorExcerptChars' | 'idChars'>;

/** Close codes the platform uses (4401: the key the socket opened with was revoked). */
export const CLOSE_POLICY = 1008;
export const CLOSE_KEY_REVOKED = 4401;

/** A peer that does not complete the close handshake within this is cut off. */
const CLOSE_GRACE_MS = 1000;

export interface CallOpts {
  timeoutMs: number;
  budgetMs?: number;
  signal?: AbortSignal;
}

let connectionCounter = 0;

export class EposSocket {
  readonly info: ConnectionInfo;
  readonly key: string;
  readonly closed: Promise<DisconnectInfo>;
  private readonly pending = new PendingCalls();
  private alive = true;
  /** Epoch ms of the last ping sent and pong received (GET /epos/connections); 0 = none yet. */
  private pingAt = 0;
  private pongAt = 0;
  private cause?: string;
  private childLog?: TransportLogger;
  /** Call ids count per socket: an EPOS sees nothing of other sockets' traffic. */
  private callCounter = 0;
  /** Inbound rates, made on the first frame (an idle socket holds none: B3 in BENCHMARKS.md). */
  private rates?: { frames: TokenBucket; bytes: TokenBucket };
  /** Set once the platform decided to close: later frames are not even read. */
  private closing = false;
  /** Why later calls are refused once the platform closed the socket on purpose (shutdown). */
  private closeError?: PlatformError;
  /** Terminates a peer that does not finish the close handshake. */
  private killTimer?: NodeJS.Timeout;

  /** Ids of raw calls in flight (tester only): their answer is handed back as the frame the EPOS sent. */
  private rawIds?: Set<string>;

  /** Called before each send: batches this turn's frames into one write (batch.ts). */
  private readonly batchWrites: () => void;

  constructor(
    private readonly ws: WebSocket,
    caller: Caller,
    remoteAddress: string | undefined,
    private readonly stats: FrameStats,
    private readonly parentLog: TransportLogger,
    private readonly maxPayload: number,
    /** The upgraded TCP socket under `ws`, corked to batch frames. */
    socket?: Duplex,
    private readonly limits: ConnectionLimits = DEFAULT_LIMITS,
    sdk?: SdkInfo,
  ) {
    this.batchWrites = socket ? writeBatcher(socket) : () => {};
    connectionCounter += 1;
    this.info = { connectionId: `c${connectionCounter.toString(36)}`, caller, remoteAddress, connectedAt: new Date(), ...(sdk ? { sdk } : {}) };
    this.key = tenantKey(caller);

    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    // Only a pong proves the peer reads and answers: a flood of frames from a stuck peer does not.
    ws.on('pong', () => {
      this.alive = true;
      this.pongAt = Date.now();
    });
    // ws answers each ping with a pong: pings count against the frame rate like any frame.
    ws.on('ping', () => { this.admit(0); });
    ws.on('error', (err: Error & { code?: string }) => {
      this.cause ??= err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
        ? `the EPOS sent a frame larger than ${this.maxPayload} bytes`
        : `socket error: ${err.message}`;
      this.log.warn({ err: err.message, code: err.code }, 'EPOS socket error');
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reasonBuf) => {
        clearTimeout(this.killTimer);
        const reason = clip(reasonBuf.toString(), this.limits.logStringChars);
        const why = this.cause ? `${this.cause}; ` : '';
        const failed = this.pending.rejectAll(new PlatformError('EPOS_UNREACHABLE',
          `the EPOS disconnected mid-call (${why}close code ${code}); the call may have executed and is not retried`));
        this.log.info({ code, reason, cause: this.cause, failedCalls: failed }, 'EPOS disconnected');
        resolve({ ...this.info, code, reason, ...(this.cause ? { cause: this.cause } : {}) });
      });
    });
  }

  /**
   * This socket's logger, made on first use: most sockets never log, and a child logger per
   * socket held is memory (B3 in BENCHMARKS.md).
   */
  private get log(): TransportLogger {
    this.childLog ??= this.parentLog.child({ tenant: this.key, connectionId: this.info.connectionId });
    return this.childLog;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** When the platform last pinged the socket and last heard a pong (epoch ms), if ever. */
  get keepAlive(): { lastPingAt?: number; lastPongAt?: number } {
    return { ...(this.pingAt ? { lastPingAt: this.pingAt } : {}), ...(this.pongAt ? { lastPongAt: this.pongAt } : {}) };
  }

  /** The key the socket was opened with: revoking it closes the socket. */
  get keyId(): string {
    return this.info.caller.keyId;
  }

  /**
   * Sends one request and resolves with the EPOS result, or rejects with a PlatformError. Never
   * throws: a request that cannot be serialised or sent is a rejected promise, and it is only
   * registered (its timeout armed) once its frame exists.
   */
  call(method: string, params: JsonRpcRequest['params'], opts: CallOpts): Promise<unknown> {
    return this.request(method, params, opts, false);
  }

  private request(method: string, params: JsonRpcRequest['params'], opts: CallOpts, raw: boolean): Promise<unknown> {
    try {
      if (opts.signal?.aborted) return Promise.reject(cancelledError(opts.signal));
      if (!this.open || this.closing) {
        return Promise.reject(this.closeError ?? new PlatformError('EPOS_UNREACHABLE', 'the EPOS socket closed before the call could be sent'));
      }
      this.callCounter += 1;
      const id = this.callCounter.toString(36);
      let frame: string;
      try {
        frame = encodeRequest(id, method, params);
      } catch (e) {
        return Promise.reject(new PlatformError('BAD_REQUEST',
          `the ${method} request cannot be sent as JSON: ${clip(errorMessage(e), this.limits.errorExcerptChars)}`));
      }
      if (!this.roomFor(frame.length)) {
        return Promise.reject(new PlatformError('EPOS_UNREACHABLE', 'the EPOS is not reading its socket; the socket was closed'));
      }
      let answer = this.pending.add(id, method, opts);
      if (raw) {
        const rawIds = (this.rawIds ??= new Set());
        rawIds.add(id);
        answer = answer.finally(() => rawIds.delete(id));
      }
      this.batchWrites();
      this.stats.framesOut += 1;
      this.ws.send(frame, (err) => {
        if (err) this.pending.reject(id, new PlatformError('EPOS_UNREACHABLE', `could not send ${method} to the EPOS: ${clip(err.message, this.limits.errorExcerptChars)}`));
      });
      return answer;
    } catch (e) {
      return Promise.reject(new PlatformError('EPOS_UNREACHABLE', `could not send ${method} to the EPOS: ${clip(errorMessage(e), this.limits.errorExcerptChars)}`));
    }
  }

  /**
   * Tester only: sends any `method` with `params` as they are (no contract check) and resolves
   * with the JSON object the EPOS answered, whatever it holds (result, error of any shape), so
   * protocol flows can judge the frame itself. Rejects like call() on timeout or a closed socket.
   */
  rawCall(method: string, params: Record<string, unknown>, opts: CallOpts): Promise<Record<string, unknown>> {
    return this.request(method, params as JsonRpcRequest['params'], opts, true) as Promise<Record<string, unknown>>;
  }

  /** The frame as a JSON object with the id of a raw call in flight, else undefined (handled as usual). */
  private rawAnswer(text: string): { id: string; frame: Record<string, unknown> } | undefined {
    if (jsonDeeperThan(text, this.limits.jsonDepth)) return undefined;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return undefined;
    const frame = msg as Record<string, unknown>;
    if ('method' in frame && !('result' in frame) && !('error' in frame)) return undefined;
    const id = typeof frame.id === 'string' ? frame.id : typeof frame.id === 'number' ? String(frame.id) : undefined;
    return id !== undefined && this.rawIds?.has(id) ? { id, frame } : undefined;
  }

  /**
   * False, after closing the socket (1008), when sending `bytes` more would queue over
   * limits.socketOutboundBytes for a peer that does not read. `bufferedAmount` counts what ws
   * holds and what sits in the TCP socket's write buffer (corked frames included).
   */
  private roomFor(bytes: number): boolean {
    if (this.ws.bufferedAmount + bytes <= this.limits.socketOutboundBytes) return true;
    const reason = 'EPOS is not reading its socket';
    this.log.warn({ queuedBytes: this.ws.bufferedAmount, limit: this.limits.socketOutboundBytes }, 'EPOS socket outbound buffer full; closing it');
    this.close(CLOSE_POLICY, reason, `${reason} (more than ${this.limits.socketOutboundBytes} bytes queued, limits.socketOutboundBytes)`);
    return false;
  }

  /**
   * Closes with `code`/`reason`, failing calls in flight with EPOS_UNREACHABLE; a peer that does
   * not finish the close handshake (it is not reading) is terminated after a short grace.
   */
  close(code: number, reason: string, cause = reason, err?: PlatformError): void {
    if (this.closing) return;
    this.closing = true;
    this.cause ??= cause;
    if (err) this.closeError = err;
    this.pending.rejectAll(err ?? new PlatformError('EPOS_UNREACHABLE',
      `the platform closed the EPOS socket mid-call (${cause}); the call may have executed and is not retried`));
    try {
      if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
    this.killTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    this.killTimer.unref();
  }

  /**
   * Counts one frame of `bytes` against the inbound rates (given back if it answers a call in
   * flight); past them the socket is closed (1008).
   */
  private admit(bytes: number): boolean {
    if (this.closing) return false;
    const l = this.limits;
    // Bytes: one whole second's worth of burst, and never less than one largest frame.
    const rates = this.rates ??= {
      frames: new TokenBucket(l.framesPerSecond, l.frameBurst),
      bytes: new TokenBucket(l.inboundBytesPerSecond, Math.max(l.inboundBytesPerSecond, this.maxPayload)),
    };
    if (!rates.frames.take(1)) {
      this.stats.framesRefused += 1;
      this.close(CLOSE_POLICY, `more than ${this.limits.framesPerSecond} frames per second (framesPerSecond)`);
      return false;
    }
    if (bytes > 0 && !rates.bytes.take(bytes)) {
      this.stats.framesRefused += 1;
      this.close(CLOSE_POLICY, `more than ${this.limits.inboundBytesPerSecond} bytes per second (inboundBytesPerSecond)`);
      return false;
    }
    return true;
  }

  /** One keep-alive tick: a peer that did not pong since the previous tick is terminated. */
  heartbeat(): void {
    if (!this.alive) {
      this.cause ??= 'no pong from the EPOS within one ping interval (dead peer)';
      this.log.warn('EPOS missed a pong; terminating the socket');
      this.ws.terminate();
      return;
    }
    this.alive = false;
    try {
      this.ws.ping();
      this.pingAt = Date.now();
    } catch {
      // Socket not open any more: its close handler does the bookkeeping.
    }
  }

  /** Fails calls in flight with `err`, then closes the socket. */
  shutdown(code: number, reason: string, err: PlatformError): void {
    this.close(code, reason, reason, err);
  }

  /**
   * Drain: closes with `code` once the calls in flight have settled, not before, since their
   * answers come back on this socket. A call sent meanwhile (accepted before the drain) extends the
   * wait; the gateway's deadline bounds it. Resolves when the socket has closed.
   */
  async closeWhenIdle(code: number, reason: string): Promise<DisconnectInfo> {
    while (this.pending.size > 0 && !this.closing) await this.pending.idle();
    this.close(code, reason, reason, platformStopping());
    return this.closed;
  }

  terminate(): void {
    this.ws.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const bytes = byteLength(data);
    this.stats.framesIn += 1;
    if (!this.admit(bytes)) return;
    if (isBinary) {
      this.stats.binaryFrames += 1;
      this.log.warn({ bytes: byteLength(data) }, 'EPOS sent a binary frame; ignored (JSON-RPC frames are text)');
      return;
    }
    const text = rawText(data);
    if (this.rawIds?.size) {
      const raw = this.rawAnswer(text);
      if (raw) {
        this.note(raw.id, this.pending.resolve(raw.id, raw.frame), bytes);
        return;
      }
    }
    const frame = parseFrame(text, { maxDepth: this.limits.jsonDepth });
    const max = this.limits.logStringChars;
    switch (frame.kind) {
      case 'result':
        this.note(frame.id, this.pending.resolve(frame.id, frame.result), bytes);
        return;
      case 'error': {
        const err = 'eposError' in frame.error
          ? eposErrorToPlatform(frame.error.eposError)
          : this.rpcErrorToPlatform(frame.error.rpcError.code, frame.error.rpcError.message);
        this.note(frame.id, this.pending.reject(frame.id, err), bytes);
        return;
      }
      case 'request':
        this.stats.peerMessages += 1;
        this.log.warn({ method: clip(frame.method, max) }, 'EPOS sent a JSON-RPC request; answered method-not-found');
        this.answerMethodNotFound(frame.id, frame.method);
        return;
      case 'notification':
        this.stats.peerMessages += 1;
        this.log.warn({ method: clip(frame.method, max) }, 'EPOS sent a JSON-RPC notification; ignored');
        return;
      case 'invalid': {
        this.stats.badFrames += 1;
        const matched = frame.id !== undefined && this.pending.has(frame.id);
        this.log.warn({ reason: clip(frame.reason, max), id: frame.id === undefined ? undefined : clip(frame.id, max), matched, bytes: text.length },
          'EPOS sent an invalid frame; ignored');
        if (matched && frame.id !== undefined) {
          this.pending.reject(frame.id, new PlatformError('EPOS_BAD_RESPONSE',
            `the EPOS sent an invalid JSON-RPC response: ${clip(frame.reason, this.limits.errorExcerptChars)}`));
        }
        return;
      }
    }
  }

  private note(id: string, outcome: SettleOutcome, bytes: number): void {
    if (outcome === 'settled') {
      // An answer to a call the platform made is not flooding: the platform's own calls bound
      // those. Only unsolicited frames use up the inbound rates.
      this.rates?.frames.give(1);
      this.rates?.bytes.give(bytes);
    } else if (outcome === 'late') {
      this.stats.lateAnswers += 1;
      this.log.debug({ id: clip(id, this.limits.logStringChars) }, 'late EPOS answer for a call already given up; dropped');
    } else if (outcome === 'unknown') {
      this.stats.unknownIds += 1;
      this.log.warn({ id: clip(id, this.limits.logStringChars) }, 'EPOS answered an unknown id; ignored');
    }
  }

  /** A standard JSON-RPC error where an EPOSError belongs; the EPOS's message is kept, clipped. */
  private rpcErrorToPlatform(code: number, message: string): PlatformError {
    const short = clip(message, this.limits.errorExcerptChars);
    return new PlatformError('EPOS_BAD_RESPONSE', `the EPOS answered a JSON-RPC error instead of an EPOSError: ${code} ${short}`,
      { extra: { rpcError: { code, message: short } } });
  }

  /**
   * The platform serves no methods. The method is quoted clipped; an id longer than
   * limits.idChars is answered with `id: null` (JSON-RPC's "id unknown") rather than echoed.
   */
  private answerMethodNotFound(rid: string | number | null, method: string): void {
    if (!this.open || this.closing) return;
    const id = typeof rid === 'string' && rid.length > this.limits.idChars ? null : rid;
    const frame = encodeErrorResponse(id, RPC_METHOD_NOT_FOUND,
      `Method not found: ${clip(method, this.limits.logStringChars)}. The platform sends requests on this socket and serves none.`);
    if (!this.roomFor(frame.length)) return;
    this.batchWrites();
    this.stats.framesOut += 1;
    this.ws.send(frame, () => { /* a failed send shows as the socket closing */ });
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
