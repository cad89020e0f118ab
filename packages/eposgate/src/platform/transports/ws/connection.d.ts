import type { TransportLogger } from '../log.ts';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { type JsonRpcRequest } from '@eposgate/contract';
import { PlatformError } from '../../errors.ts';
import { type Caller } from '../../tenant.ts';
import { type Limits } from '../../limits.ts';
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
export declare function emptyFrameStats(): FrameStats;
/** The limits one socket enforces (limits.ts). */
export type ConnectionLimits = Pick<Limits, 'socketOutboundBytes' | 'framesPerSecond' | 'frameBurst' | 'inboundBytesPerSecond' | 'jsonDepth' | 'logStringChars' | 'errorExcerptChars' | 'idChars'>;
/** Close codes the platform uses (4401: the key the socket opened with was revoked). */
export declare const CLOSE_POLICY = 1008;
export declare const CLOSE_KEY_REVOKED = 4401;
export interface CallOpts {
    timeoutMs: number;
    budgetMs?: number;
    signal?: AbortSignal;
}
export declare class EposConnection {
    private readonly ws;
    private readonly stats;
    private readonly parentLog;
    private readonly maxPayload;
    private readonly limits;
    readonly info: ConnectionInfo;
    readonly key: string;
    readonly closed: Promise<DisconnectInfo>;
    private readonly pending;
    private alive;
    private cause?;
    private childLog?;
    /** Call ids count per socket: an EPOS sees nothing of other sockets' traffic. */
    private callCounter;
    /** Inbound rates, made on the first frame (an idle socket holds none: B3 in BENCHMARKS.md). */
    private rates?;
    /** Set once the platform decided to close: later frames are not even read. */
    private closing;
    /** Terminates a peer that does not finish the close handshake. */
    private killTimer?;
    /** Ids of raw calls in flight (tester only): their answer is handed back as the frame the EPOS sent. */
    private rawIds?;
    /** Called before each send: batches this turn's frames into one write (batch.ts). */
    private readonly batchWrites;
    constructor(ws: WebSocket, caller: Caller, remoteAddress: string | undefined, stats: FrameStats, parentLog: TransportLogger, maxPayload: number, 
    /** The upgraded TCP socket under `ws`, corked to batch frames. */
    socket?: Duplex, limits?: ConnectionLimits);
    /**
     * This socket's logger, made on first use: most sockets never log, and a child logger per
     * socket held is memory (B3 in BENCHMARKS.md).
     */
    private get log();
    get open(): boolean;
    get inFlight(): number;
    /** The key the socket was opened with: revoking it closes the socket. */
    get keyId(): string;
    /**
     * Sends one request and resolves with the EPOS result, or rejects with a PlatformError. Never
     * throws: a request that cannot be serialised or sent is a rejected promise, and it is only
     * registered (its timeout armed) once its frame exists.
     */
    call(method: string, params: JsonRpcRequest['params'], opts: CallOpts): Promise<unknown>;
    private request;
    /**
     * Tester only: sends any `method` with `params` as they are (no contract check) and resolves
     * with the JSON object the EPOS answered, whatever it holds (result, error of any shape), so
     * protocol flows can judge the frame itself. Rejects like call() on timeout or a closed socket.
     */
    rawCall(method: string, params: Record<string, unknown>, opts: CallOpts): Promise<Record<string, unknown>>;
    /** The frame as a JSON object with the id of a raw call in flight, else undefined (handled as usual). */
    private rawAnswer;
    /**
     * False, after closing the socket (1008), when sending `bytes` more would queue over
     * limits.socketOutboundBytes for a peer that does not read. `bufferedAmount` counts what ws
     * holds and what sits in the TCP socket's write buffer (corked frames included).
     */
    private roomFor;
    /**
     * Closes with `code`/`reason`, failing calls in flight with EPOS_UNREACHABLE; a peer that does
     * not finish the close handshake (it is not reading) is terminated after a short grace.
     */
    close(code: number, reason: string, cause?: string, err?: PlatformError): void;
    /**
     * Counts one frame of `bytes` against the inbound rates (given back if it answers a call in
     * flight); past them the socket is closed (1008).
     */
    private admit;
    /** One keep-alive tick: a peer that did not pong since the previous tick is terminated. */
    heartbeat(): void;
    /** Fails calls in flight with `err`, then closes the socket. */
    shutdown(code: number, reason: string, err: PlatformError): void;
    terminate(): void;
    private onMessage;
    private note;
    /** A standard JSON-RPC error where an EPOSError belongs; the EPOS's message is kept, clipped. */
    private rpcErrorToPlatform;
    /**
     * The platform serves no methods. The method is quoted clipped; an id longer than
     * limits.idChars is answered with `id: null` (JSON-RPC's "id unknown") rather than echoed.
     */
    private answerMethodNotFound;
}
