import type { Capability } from '@eposgate/contract';
import type { RequestorHeaders } from './transport.ts';
/** Where and how to reach one tenant's EPOS REST API, as registered. */
export interface RestTarget {
    /** e.g. `https://epos.example.com` or `https://epos.example.com/api`; the catalogue path is appended. */
    baseUrl: string;
    username: string;
    password: string;
}
export interface RestRequest {
    /** `scheme://host:port` of the EPOS. */
    origin: string;
    /** Base path + operation path, placeholders filled in. */
    path: string;
    /** `host:port`, for messages (never credentials). */
    host: string;
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    headers: Record<string, string>;
    body?: string;
}
export declare function buildRestRequest(target: RestTarget, capability: Capability, params: Record<string, unknown>, requestor: RequestorHeaders): RestRequest;
/** `host:port` of a URL, the port spelled out even when it is the default; never credentials. */
export declare function hostPort(url: URL): string;
