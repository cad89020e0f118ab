import type { FastifyInstance, FastifyRequest } from 'fastify';
export declare const METRICS_PATH = "/metrics";
export declare function metricsRoute(app: FastifyInstance, render: () => string, token: string | undefined): void;
export declare function checkMetricsAccess(req: FastifyRequest, token: string | undefined): void;
export declare function isLoopback(address: string | undefined): boolean;
