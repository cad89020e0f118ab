import type { FastifyInstance } from 'fastify';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
export declare function dataRoutes(app: FastifyInstance, dispatcher: Dispatcher): void;
