// The logger shape the transports need: pino's, and also fastify's `FastifyBaseLogger`.
import { pino, type LogFn } from 'pino';

export interface TransportLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): TransportLogger;
}

export function silentLogger(): TransportLogger {
  return pino({ level: 'silent' });
}
