import type { FastifyInstance } from 'fastify';
import type { Registry } from '../registry/registry.ts';
export declare function integrationRoutes(app: FastifyInstance, registry: Registry): void;
