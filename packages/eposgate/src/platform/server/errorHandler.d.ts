import type { FastifyInstance } from 'fastify';
import { PlatformError } from '../errors.ts';
export declare function toPlatformError(err: unknown): PlatformError;
export declare function installErrorHandling(app: FastifyInstance): void;
