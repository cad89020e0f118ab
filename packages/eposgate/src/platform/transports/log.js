// The logger shape the transports need: pino's, and also fastify's `FastifyBaseLogger`.
import { pino } from 'pino';
export function silentLogger() {
    return pino({ level: 'silent' });
}
