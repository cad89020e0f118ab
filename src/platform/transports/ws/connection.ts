// One EPOS WebSocket: sends requests, matches answers to calls in flight, answers what the EPOS
// should not send, and keeps track of whether the peer is alive. Never throws on a bad frame.
import type { TransportLogger } from '../log.ts';
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { encodeErrorResponse, encodeRequest, parseFrame, RPC_METHOD_NOT_FOUND, type JsonRpcRequest } from '../../../contract/jsonrpc.ts';
import { PlatformError } from '../../errors.ts';
import { tenantKey, type Caller } from '../../tenant.ts';
import { cancelledError, eposErrorToPlatform } from '../eposAnswer.ts';
import { nextCallId, PendingCalls, type SettleOutcome } from './pending.ts';
import { writeBatcher } from './batch.ts';

export interface ConnectionInfo {
  /** Platform-assigned id of this socket, for logs and the connect/disconnect hooks. */
  connectionId: string;
  caller: Caller;
  remoteAddress?: string;
  connectedAt: Date;
}

export interface DisconnectInfo extends ConnectionInfo {
  code: number;
  reason: string;
  /** Why the platform ended it, when it did (dead peer, oversized frame, shutdown). */
  cause?: string;
}

/** Counters of what the EPOS sent that the platform could not use. */
export interface FrameStats {
  badFrames: number;
  binaryFrames: number;
  unknownIds: number;
  lateAnswers: number;
  peerMessages: number;
}

export function emptyFrameStats(): FrameStats {
  return { badFrames: 0, binaryFrames: 0, unknownIds: 0, lateAnswers: 0, peerMessages: 0 };
}

export interface CallOpts {
  timeoutMs: number;
  budgetMs?: number;
  signal?: AbortSignal;
}

let connectionCounter = 0;

export class EposConnection {
  readonly info: ConnectionInfo;
  readonly key: string;
  readonly closed: Promise<DisconnectInfo>;
  private readonly pending = new PendingCalls();
  private alive = true;
  private cause?: string;
  private childLog?: TransportLogger;

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
  ) {
    this.batchWrites = socket ? writeBatcher(socket) : () => {};
    connectionCounter += 1;
    this.info = { connectionId: `c${connectionCounter.toString(36)}`, caller, remoteAddress, connectedAt: new Date() };
    this.key = tenantKey(caller);

    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => { this.alive = true; });
    ws.on('error', (err: Error & { code?: string }) => {
      this.cause ??= err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
        ? `the EPOS sent a frame larger than ${this.maxPayload} bytes`
        : `socket error: ${err.message}`;
      this.log.warn({ err: err.message, code: err.code }, 'EPOS socket error');
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reasonBuf) => {
        const reason = reasonBuf.toString();
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

  /** Sends one request and resolves with the EPOS result, or rejects with a PlatformError. */
  call(method: string, params: JsonRpcRequest['params'], opts: CallOpts): Promise<unknown> {
    if (opts.signal?.aborted) return Promise.reject(cancelledError(opts.signal));
    if (!this.open) {
      return Promise.reject(new PlatformError('EPOS_UNREACHABLE', 'the EPOS socket closed before the call could be sent'));
    }
    const id = nextCallId();
    const answer = this.pending.add(id, method, opts);
    this.batchWrites();
    this.ws.send(encodeRequest(id, method, params), (err) => {
      if (err) this.pending.reject(id, new PlatformError('EPOS_UNREACHABLE', `could not send ${method} to the EPOS: ${err.message}`));
    });
    return answer;
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
    } catch {
      // Socket not open any more: its close handler does the bookkeeping.
    }
  }

  /** Fails calls in flight with `err`, then closes the socket. */
  shutdown(code: number, reason: string, err: PlatformError): void {
    this.cause ??= reason;
    this.pending.rejectAll(err);
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.alive = true;
    if (isBinary) {
      this.stats.binaryFrames += 1;
      this.log.warn({ bytes: byteLength(data) }, 'EPOS sent a binary frame; ignored (JSON-RPC frames are text)');
      return;
    }
    const text = rawText(data);
    const frame = parseFrame(text);
    switch (frame.kind) {
      case 'result':
        this.note(frame.id, this.pending.resolve(frame.id, frame.result));
        return;
      case 'error': {
        const err = 'eposError' in frame.error
          ? eposErrorToPlatform(frame.error.eposError)
          : new PlatformError('EPOS_BAD_RESPONSE',
            `the EPOS answered a JSON-RPC error instead of an EPOSError: ${frame.error.rpcError.code} ${frame.error.rpcError.message}`,
            { extra: { rpcError: { code: frame.error.rpcError.code, message: frame.error.rpcError.message } } });
        this.note(frame.id, this.pending.reject(frame.id, err));
        return;
      }
      case 'request':
        this.stats.peerMessages += 1;
        this.log.warn({ method: frame.method }, 'EPOS sent a JSON-RPC request; answered method-not-found');
        if (this.open) {
          this.ws.send(encodeErrorResponse(frame.id, RPC_METHOD_NOT_FOUND,
            `Method not found: ${frame.method}. The platform sends requests on this socket and serves none.`));
        }
        return;
      case 'notification':
        this.stats.peerMessages += 1;
        this.log.warn({ method: frame.method }, 'EPOS sent a JSON-RPC notification; ignored');
        return;
      case 'invalid': {
        this.stats.badFrames += 1;
        const matched = frame.id !== undefined && this.pending.has(frame.id);
        this.log.warn({ reason: frame.reason, id: frame.id, matched, bytes: text.length }, 'EPOS sent an invalid frame; ignored');
        if (matched && frame.id !== undefined) {
          this.pending.reject(frame.id, new PlatformError('EPOS_BAD_RESPONSE', `the EPOS sent an invalid JSON-RPC response: ${frame.reason}`));
        }
        return;
      }
    }
  }

  private note(id: string, outcome: SettleOutcome): void {
    if (outcome === 'late') {
      this.stats.lateAnswers += 1;
      this.log.debug({ id }, 'late EPOS answer for a call already given up; dropped');
    } else if (outcome === 'unknown') {
      this.stats.unknownIds += 1;
      this.log.warn({ id }, 'EPOS answered an unknown id; ignored');
    }
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
