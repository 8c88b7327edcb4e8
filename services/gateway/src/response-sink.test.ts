// The response sink: a response whose head Node refuses to write is answered 500 (or the
// connection is dropped when even that cannot be written); the request never hangs.

import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { ResponseSink } from './context.js';
import { PANIC_MESSAGE } from './filters/panic-recovery.js';
import type { GatewayLogger } from './logger.js';
import { responseSink } from './server.js';

type Handler = (sink: ResponseSink, res: ServerResponse) => void;

let server: Server;
let handler: Handler = () => {};
const logged: { message: string; fields?: Record<string, unknown> }[] = [];
const log: GatewayLogger = { info: () => {}, error: (message, fields) => logged.push({ message, fields }) };

before(async () => {
  server = createServer((_req: IncomingMessage, res: ServerResponse) => handler(responseSink(res, log), res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** GET / with a 5 s bound; a dropped connection answers its error code. */
function get(): Promise<{ status: number; headers: IncomingMessage['headers']; body: string } | { error: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(5_000, () => reject(new Error('the request hung')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

test('a normal response is sent once', async () => {
  const results: boolean[] = [];
  handler = (sink) => {
    results.push(sink.send(201, { 'Content-Type': 'text/plain' }, 'made'));
    results.push(sink.send(500, {}, 'again'));
  };
  const r = await get();
  assert.ok('status' in r);
  assert.equal(r.status, 201);
  assert.equal(r.body, 'made');
  assert.deepEqual(results, [true, false]);
});

test('a header Node refuses, or a status code out of range: 500 with the panic text, logged', async () => {
  for (const [code, headers] of [
    [200, { Warning: 'bad\nvalue' }],
    [200, { 'Bad Header': 'x' }],
    [1000, {}],
  ] as [number, Record<string, string>][]) {
    logged.length = 0;
    let outcome: { returned: boolean; sent: boolean } | undefined;
    handler = (sink) => {
      const returned = sink.send(code, { 'Content-Type': 'application/json', ...headers }, '{"kind":"Status"}');
      outcome = { returned, sent: sink.sent };
    };
    const r = await get();
    assert.ok('status' in r, JSON.stringify(r));
    assert.equal(r.status, 500);
    assert.equal(r.body, PANIC_MESSAGE + '\n');
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(r.headers.warning, undefined);
    assert.deepEqual(outcome, { returned: false, sent: true });
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.message, 'the response head could not be written');
  }
});

test('when not even the 500 can be written, the connection is dropped instead of hanging', async () => {
  handler = (sink, res) => {
    res.writeHead = () => {
      throw new Error('cannot write');
    };
    assert.equal(sink.send(200, {}, 'x'), false);
  };
  const r = await get();
  assert.ok('error' in r, `expected the connection to drop, got ${JSON.stringify(r)}`);
  assert.match(r.error, /ECONNRESET|socket hang up/);
});
