// The gateway-wide watch output budget against `kapi up`: watchers that stop reading are closed
// once together they hold more than the budget, while watchers that read get every event.
// HTTP/2 (what kubectl and client-go use): the stalled and the reading watchers use separate
// connections, because HTTP/2 flow control is also per connection.

import assert from 'node:assert/strict';
import { type ClientHttp2Session, type ClientHttp2Stream, connect } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { tempDir } from '../support/tmp.js';
import { type RawClient, rawClient, rawRequest } from '../support/watch-client.js';

const BUDGET = 4 * 1024 * 1024;
const STALLED = 50;
const READERS = 2;
const EVENTS = 20;
const PAYLOAD = 'x'.repeat(100 * 1024);

describe('the gateway-wide watch output budget', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let client: RawClient;
  const sessions: ClientHttp2Session[] = [];
  const base = '/api/v1/namespaces/default/configmaps';

  before(async () => {
    dir = await tempDir('e2e-watch-budget');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true, watchBufferBudgetBytes: BUDGET });
    client = rawClient(server.kubeconfigPath);
  });

  after(async () => {
    for (const s of sessions) s.destroy();
    await server?.stop();
    await dir.remove();
  });

  const session = (): ClientHttp2Session => {
    const s = connect(client.server.origin, { ca: client.ca, cert: client.cert, key: client.key });
    s.on('error', () => undefined);
    sessions.push(s);
    return s;
  };

  const watch = (s: ClientHttp2Session, rv: string): Promise<ClientHttp2Stream> =>
    new Promise((resolve, reject) => {
      const stream = s.request({ ':path': `${base}?watch=true&resourceVersion=${rv}&labelSelector=budget%3Dyes&timeoutSeconds=120` });
      stream.on('error', () => undefined);
      stream.once('response', (headers) => (Number(headers[':status']) === 200 ? resolve(stream) : reject(new Error(`status ${headers[':status']}`))));
    });

  it('closes the stalled watchers and delivers every event to the readers', { timeout: 180_000 }, async () => {
    const list = await rawRequest(client, 'GET', base);
    const rv = list.body.metadata.resourceVersion as string;
    const stalledSession = session();
    const stalled = await Promise.all(Array.from({ length: STALLED }, () => watch(stalledSession, rv)));
    let closedCount = 0;
    const closed = stalled.map((s) => new Promise<void>((resolve) => s.once('close', () => (closedCount++, resolve()))));
    for (const s of stalled) s.pause();
    const readerSession = session();
    const readers = await Promise.all(Array.from({ length: READERS }, () => watch(readerSession, rv)));
    const received = readers.map((stream) => {
      let text = '';
      let names: string[] = [];
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        text += chunk;
        const lines = text.split('\n');
        text = lines.pop()!;
        names = names.concat(lines.map((l) => (JSON.parse(l) as { object: { metadata: { name: string } } }).object.metadata.name));
      });
      return () => names;
    });

    for (let i = 0; i < EVENTS; i++) {
      const created = await rawRequest(client, 'POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `b${i}`, labels: { budget: 'yes' } }, data: { p: PAYLOAD } });
      assert.equal(created.status, 201);
      if (i === 2) {
        // 3 events x 100 KiB is far below the 1 MiB per-watcher bound: only the gateway-wide
        // budget can have closed stalled watchers by now.
        const deadline = Date.now() + 10_000;
        while (closedCount === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.ok(closedCount > 0, 'the budget closed stalled watchers before any reached its own bound');
      }
    }
    // 50 stalled watchers x 20 events x 100 KiB is ~100 MiB of backlog; the budget is 4 MiB, more
    // than the readers can hold at once (2 x the 1 MiB per-watcher bound).
    await Promise.all(closed);
    const expected = Array.from({ length: EVENTS }, (_, i) => `b${i}`);
    const deadline = Date.now() + 30_000;
    while (received.some((names) => names().length < EVENTS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const names of received) assert.deepEqual(names(), expected, `a reader got ${names().length} of ${EVENTS}`);
  });
});
