// The platform's one OpenAPI document (GET /openapi.json), judged by a real OpenAPI validator, held
// against the routes fastify really serves, and used the way a product would: a client generated
// from it (openapi-typescript + openapi-fetch) calling the reference EPOS through /epos/data.
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import openapiTS, { astToString } from 'openapi-typescript';
import { UNDOCUMENTED_PATHS } from '../../packages/eposgate/src/platform/server/openapi.ts';
import { startE2E, SOFTWARE_HOUSE } from '../e2e/setup.ts';
import { api, testPlatform } from '../helpers/platform.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

/** Every method and path fastify routes, read off printRoutes' tree (`:name` written `{name}`). */
function servedRoutes(tree: string): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack.length = depth;
    stack.push(path);
    for (const method of m[3]?.split(', ') ?? []) out.push({ method, path: path.replace(/:(\w+)/g, '{$1}') });
  }
  return out;
}

function operations(doc: any): { method: string; path: string; op: any }[] {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([m, op]) => ({ method: m.toUpperCase(), path, op })));
}

test('GET /openapi.json is a valid OpenAPI 3.1 document, public, and the same at /epos/data/openapi.json', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const res = await fetch(`${p.url}/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const doc = await res.json();
  assert.match(doc.openapi, /^3\.1\.\d+$/);

  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.equal(validator.version, '3.1');
  assert.deepEqual(result.errors, undefined, JSON.stringify(result.errors, null, 2)?.slice(0, 4000));
  assert.equal(result.valid, true);

  assert.deepEqual(await (await fetch(`${p.url}/epos/data/openapi.json`)).json(), doc);
  const ids = operations(doc).map((o) => o.op.operationId);
  assert.ok(ids.every((id) => typeof id === 'string' && /^[A-Z][A-Za-z0-9]+$/.test(id)), ids.join(' '));
  assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
  assert.ok(doc.components.securitySchemes.ApiKey && doc.components.securitySchemes.SoftwareHouseId);
});

test('the document lists every route fastify serves, and only those; its security says which need a key', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const doc = (await api(p.url, 'GET', '/openapi.json')).body;
  // HEAD routes are fastify's automatic twins of the GET routes.
  const served = servedRoutes(p.app.printRoutes({ commonPrefix: false }))
    .filter((r) => r.method !== 'HEAD' && !UNDOCUMENTED_PATHS.includes(r.path));
  assert.ok(served.length >= 35, `${served.length} routes read off printRoutes`);
  const documented = operations(doc);
  const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
  assert.deepEqual(documented.map(key).sort(), served.map(key).sort());

  for (const { method, path, op } of documented) {
    const isPublic = Array.isArray(op.security) && op.security.length === 0;
    const res = await api(p.url, method, path.replace(/\{\w+\}/g, 'x'), { softwareHouseId: null });
    if (isPublic) assert.notEqual(res.status, 401, `${method} ${path} is documented as public`);
    else assert.equal(res.body?.error, 'MISSING_AUTHORIZATION', `${method} ${path} is documented as needing a key: ${res.text}`);
  }
});

test('a client generated from the document (openapi-typescript, openapi-fetch) typechecks and reads an order from the reference EPOS', async (t) => {
  const h = await startE2E('ws');
  const dir = mkdtempSync(join(tmpdir(), 'eposgate-openapi-client-'));
  t.after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const doc = (await api(h.p.url, 'GET', '/openapi.json')).body;
  writeFileSync(join(dir, 'schema.ts'), astToString(await openapiTS(doc)));
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(dir, 'client.ts'), CLIENT);

  // The product's own type check, with the TypeScript a product installs today (7, the native
  // compiler: a fraction of the CPU of 5's compiler API in this process). It prints each diagnostic.
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, skipLibCheck: true, allowImportingTsExtensions: true,
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: [],
    },
    files: ['client.ts'],
  }));
  const check = await run(process.execPath, [resolve('node_modules/typescript-native/bin/tsc'), '-p', dir]);
  assert.deepEqual(check, { code: 0, out: '' }, 'the generated types check the calls (and refuse the wrong ones marked @ts-expect-error)');

  const client = await import(pathToFileURL(join(dir, 'client.ts')).href);
  const api_ = client.productClient(h.p.url, h.key, SOFTWARE_HOUSE);
  const found = await client.payableOrders(api_);
  assert.ok(found.length > 0, 'the seed has payable orders');
  const order = await client.orderById(api_, found[0].id);
  assert.deepEqual(order, found[0]);
  const direct = await h.call('GetOrderById', { orderId: found[0].id });
  assert.deepEqual(order, direct.body, 'the same order as a hand-written call gets');
});

/** A command's exit code and its output (stdout and stderr together). */
function run(command: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out }));
  });
}

/** The product code, written against the generated `paths` only. */
const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.ts';

type Client = ReturnType<typeof createClient<paths>>;

export function productClient(baseUrl: string, apiKey: string, softwareHouseId: string): Client {
  return createClient<paths>({ baseUrl, headers: { authorization: 'Basic ' + apiKey, 'software-house-id': softwareHouseId } });
}

export async function payableOrders(client: Client) {
  const { data, error, response } = await client.POST('/epos/data/v1/orders/search', { body: { payableOnly: true, cursor: { limit: 5 } } });
  if (!data) throw new Error('SearchOrders answered ' + response.status + ': ' + JSON.stringify(error));
  return data.data;
}

export async function orderById(client: Client, orderId: string) {
  const { data, error, response } = await client.GET('/epos/data/v1/orders/{orderId}', {
    params: { path: { orderId }, header: { 'waiter-id': 'w-openapi' } },
  });
  if (!data) throw new Error('GetOrderById answered ' + response.status + ': ' + JSON.stringify(error));
  // Typed fields, not \`any\`: a wrong type here would fail the typecheck above.
  const id: string = data.id;
  const pence: number | undefined = data.totalAmount?.value;
  return { ...data, id, ...(pence === undefined ? {} : { totalAmount: { ...data.totalAmount!, value: pence } }) };
}

export function refusedByTheTypes(client: Client) {
  // @ts-expect-error: no such path in the document
  void client.GET('/epos/data/v1/orders/{orderId}/nope', { params: { path: { orderId: 'o' } } });
  // @ts-expect-error: the order id is a required path parameter
  void client.GET('/epos/data/v1/orders/{orderId}', { params: { path: {} } });
  // @ts-expect-error: payableOnly is a boolean
  void client.POST('/epos/data/v1/orders/search', { body: { payableOnly: 'yes' } });
}
`;
