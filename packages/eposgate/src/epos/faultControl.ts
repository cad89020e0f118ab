// The sandbox-only control API of a running reference EPOS: GET, PUT and DELETE /_faults, behind
// the same basic auth the platform uses for its REST routes. A product team turns faults on and off
// while its tests run, without restarting the EPOS.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basicAuthMatches } from '@eposgate/sdk';
import { FaultSpecError, formatFault, type FaultInjector } from './faults.ts';

export const FAULTS_PATH = '/_faults';
const BODY_LIMIT = 64 * 1024;

export interface FaultControlOptions {
  faults: FaultInjector;
  username: string;
  password: string;
  /** The EPOS's API key: the control API answers only for a sandbox key. */
  apiKey: string;
}

export function isSandboxKey(apiKey: string): boolean {
  return apiKey.startsWith('sk_sandbox_');
}

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
      if (text.length > BODY_LIMIT) reject(new FaultSpecError(`body exceeds ${BODY_LIMIT} bytes`));
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** The spec from a PUT body: `{"faults":"A,B"}`, `{"faults":["A","B"]}`, or the spec as text/plain. */
function specOf(body: string, contentType: string | undefined): string {
  if (!/json/i.test(contentType ?? '')) return body.trim();
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new FaultSpecError('body is not valid JSON: send {"faults":"CAPABILITY:KIND,…"}');
  }
  const f = (v as { faults?: unknown } | null)?.faults;
  if (typeof f === 'string') return f;
  if (Array.isArray(f) && f.every((x) => typeof x === 'string')) return f.join(',');
  throw new FaultSpecError('body must be {"faults":"CAPABILITY:KIND,…"} or {"faults":["CAPABILITY:KIND",…]}');
}

function view(faults: FaultInjector) {
  return { spec: faults.spec, faults: faults.list().map((f) => ({ spec: formatFault(f), ...f })) };
}

/** Handles a request for /_faults (answers true), or leaves it to the caller (false). */
export function faultControl(o: FaultControlOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://epos.local').pathname.replace(/\/+$/, '');
    if (path !== FAULTS_PATH) return false;
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { errorType: 'UnexpectedError', debugMessage: 'the fault control request failed' });
      else res.destroy();
    });
    return true;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!basicAuthMatches(req.headers.authorization, o)) {
      req.resume();
      send(res, 401, { errorType: 'InvalidRequest', debugMessage: 'missing or wrong basic-auth credentials (those of the reference EPOS: --username, --password)' }, { 'www-authenticate': 'Basic realm="epos", charset="UTF-8"' });
      return;
    }
    if (!isSandboxKey(o.apiKey)) {
      req.resume();
      send(res, 403, { errorType: 'InvalidRequest', debugMessage: 'faults are for sandbox only: this reference EPOS runs with a production key' });
      return;
    }
    switch (req.method) {
      case 'GET':
        req.resume();
        send(res, 200, view(o.faults));
        return;
      case 'DELETE':
        req.resume();
        o.faults.clear();
        send(res, 200, view(o.faults));
        return;
      case 'PUT': {
        try {
          o.faults.set(specOf(await readBody(req), req.headers['content-type']));
        } catch (err) {
          if (!(err instanceof FaultSpecError)) throw err;
          send(res, 400, { errorType: 'InvalidRequest', debugMessage: err.message });
          return;
        }
        send(res, 200, view(o.faults));
        return;
      }
      default:
        req.resume();
        send(res, 405, { errorType: 'InvalidRequest', debugMessage: `${req.method} is not supported on ${FAULTS_PATH}: use GET, PUT or DELETE` }, { allow: 'GET, PUT, DELETE' });
    }
  }
}
