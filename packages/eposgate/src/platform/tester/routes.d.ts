import type { FastifyInstance } from 'fastify';
import type { Tester } from './runner.ts';
export declare const TESTER_PREFIX = "/epos-tester-tool";
export declare function testerRoutes(app: FastifyInstance, tester: Tester): void;
