import { type LogFn } from 'pino';
export interface TransportLogger {
    debug: LogFn;
    info: LogFn;
    warn: LogFn;
    error: LogFn;
    child(bindings: Record<string, unknown>): TransportLogger;
}
export declare function silentLogger(): TransportLogger;
