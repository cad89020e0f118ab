import type { IncomingHttpHeaders } from 'node:http';
import type { RequestorHeaders } from '../transports/transport.ts';
export declare function requestorFrom(headers: IncomingHttpHeaders): RequestorHeaders;
