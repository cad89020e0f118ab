import { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { KeyService } from '../auth/keys.ts';
import type { Caller } from '../tenant.ts';
import type { Limits } from '../limits.ts';
declare module 'fastify' {
    interface FastifyRequest {
        caller: Caller;
    }
}
export interface AppOptions {
    logger: Logger;
    keys: KeyService;
    limits: Limits;
}
export declare function buildApp(opts: AppOptions): FastifyInstance;
