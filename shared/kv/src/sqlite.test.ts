// SqliteKV beyond the shared conformance suite (which runs in @kapi/testing): persistence across
// reopen, acknowledged writes surviving a killed process, watches seeing another process's
// writes, physical compaction, group commit and the bounded write queue.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { KVError, prefixEnd, type WatchEvent } from './kv.js';
import { SqliteKV } from './sqlite.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const sqliteModule = pathToFileURL(join(import.meta.dirname, 'sqlite.js')).href;

/** Runs `body` in a child node process with `SqliteKV` imported; resolves with its stdout lines
 * as they arrive (onLine) and its exit. */
function child(body: string, onLine: (line: string) => void = () => {}): { done: Promise<number | null>; kill(): void } {
  const code = `import { SqliteKV } from ${JSON.stringify(sqliteModule)};\n${body}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  const done = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { done, kill: () => proc.kill('SIGKILL') };
}

describe('SqliteKV', () => {
  let dir: string;
  let n = 0;
  const file = (): string => join(dir, `kv-${++n}.db`);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kapi-sqlite-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps everything across close and reopen, including the revision counters', async () => {
    const path = file();
    let kv = new SqliteKV(path);
    const a = await kv.create('/a', enc('a1'));
    const a2 = await kv.update('/a', enc('a2'), a.revision);
    await kv.create('/b', enc('b'));
    const del = await kv.delete('/b');
    await kv.compact(a2.revision);
    await kv.close();

    kv = new SqliteKV(path);
    try {
      assert.equal(await kv.currentRevision(), del.revision);
      assert.equal(await kv.compactedRevision(), a2.revision);
      const got = await kv.get('/a');
      assert.equal(dec(got.kv!.value), 'a2');
      assert.equal(got.kv!.version, 2);
      assert.equal((await kv.get('/b')).kv, undefined);
      assert.equal((await kv.get('/b', { revision: del.revision - 1 })).kv?.modRevision, del.revision - 1);
      const next = await kv.create('/c', enc('c'));
      assert.equal(next.revision, del.revision + 1, 'revisions continue after reopen');
    } finally {
      await kv.close();
    }
  });

  it('compaction keeps the revision counter and removes a kept tombstone on the next compaction', async () => {
    const path = file();
    const kv = new SqliteKV(path);
    let d2 = 0;
    try {
      await kv.create('/x', enc('x'));
      await kv.delete('/x');
      await kv.create('/y', enc('y'));
      d2 = (await kv.delete('/y')).revision;
      await kv.compact(d2); // keeps the tombstone at d2: a watch from d2 still needs it
      await kv.create('/z', enc('z'));
      await kv.compact(d2 + 1);
      assert.equal(await kv.currentRevision(), d2 + 1);
    } finally {
      await kv.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      const rows = (db.prepare('SELECT name, deleted FROM kv ORDER BY id').all() as { name: string; deleted: number }[]).map(
        (r) => `${r.name}:${r.deleted}`,
      );
      assert.deepEqual(rows, ['/z:0'], 'only the live row remains');
    } finally {
      db.close();
    }
    const reopened = new SqliteKV(path);
    try {
      assert.equal((await reopened.create('/w', enc('w'))).revision, d2 + 2);
    } finally {
      await reopened.close();
    }
  });

  it('compaction deletes superseded rows and keeps what reads at the compacted revision need', async () => {
    const path = file();
    const kv = new SqliteKV(path);
    let rev = 0;
    try {
      for (let i = 0; i < 10; i++) {
        const c = await kv.create(`/k/${i}`, enc('v0'));
        rev = c.revision;
        for (let v = 1; v <= 20; v++) rev = (await kv.update(`/k/${i}`, enc(`v${v}`), rev)).revision;
      }
      await kv.create('/gone', enc('g'));
      await kv.delete('/gone');
      await kv.create('/after', enc('a'));
      const at = await kv.currentRevision();
      const before = await kv.range('/k/', { end: prefixEnd('/k/') });
      await kv.compact(at);
      const afterRange = await kv.range('/k/', { end: prefixEnd('/k/'), revision: at });
      assert.deepEqual(
        afterRange.kvs.map((x) => [x.key, dec(x.value), x.version]),
        before.kvs.map((x) => [x.key, dec(x.value), x.version]),
      );
      await assert.rejects(kv.get('/k/0', { revision: at - 1 }), (e: unknown) => e instanceof KVError && e.code === 'Compacted');
    } finally {
      await kv.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n, 11, 'one row per live key');
    } finally {
      db.close();
    }
  });

  it('an acknowledged write survives the process being killed', async () => {
    const path = file();
    const acked = new Map<string, number>();
    const proc = child(
      `const kv = new SqliteKV(${JSON.stringify(path)});
       for (let i = 0; ; i++) {
         const key = '/crash/' + i;
         const r = await kv.create(key, new TextEncoder().encode('v' + i));
         process.stdout.write(key + ' ' + r.revision + '\\n');
       }`,
      (line) => {
        const [key, rev] = line.split(' ');
        acked.set(key!, Number(rev));
        if (acked.size === 300) proc.kill();
      },
    );
    await proc.done;
    assert.ok(acked.size >= 300);
    const kv = new SqliteKV(path);
    try {
      for (const [key, rev] of acked) {
        const got = await kv.get(key);
        assert.equal(got.kv?.modRevision, rev, `${key} was acknowledged at ${rev}`);
      }
    } finally {
      await kv.close();
    }
  });

  it("a watch sees another process's writes on the same file", async () => {
    const path = file();
    const kv = new SqliteKV(path, { pollIntervalMs: 50 });
    try {
      const events: WatchEvent[] = [];
      const w = await kv.watch('/shared/', 0, { onEvents: (e) => events.push(...e), onError: (e) => assert.fail(e) });
      const mine = await kv.create('/shared/mine', enc('m'));
      const exit = await child(
        `const kv = new SqliteKV(${JSON.stringify(path)});
         const a = await kv.create('/shared/a', new TextEncoder().encode('a'));
         await kv.update('/shared/a', new TextEncoder().encode('a2'), a.revision);
         await kv.create('/shared/b', new TextEncoder().encode('b'));
         await kv.close();`,
      ).done;
      assert.equal(exit, 0);
      const deadline = Date.now() + 5000;
      while (events.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(
        events.map((e) => [e.kv.key, e.kv.modRevision]),
        [
          ['/shared/mine', mine.revision],
          ['/shared/a', mine.revision + 1],
          ['/shared/a', mine.revision + 2],
          ['/shared/b', mine.revision + 3],
        ],
      );
      assert.equal(dec(events[2]!.prevKv!.value), 'a');
      await w.close();
    } finally {
      await kv.close();
    }
  });

  it('commits concurrent writes in groups, in order, with consecutive revisions', async () => {
    const kv = new SqliteKV(file());
    try {
      const base = await kv.currentRevision();
      const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => kv.create(`/g/${i}`, enc(String(i)))));
      assert.deepEqual(
        results.map((r) => r.revision),
        Array.from({ length: 1000 }, (_, i) => base + i + 1),
        'queued writes apply in call order',
      );
      assert.equal((await kv.range('/g/', { end: prefixEnd('/g/'), countOnly: true })).count, 1000);
    } finally {
      await kv.close();
    }
  });

  it('refuses writes beyond the queue bound without writing them', async () => {
    const kv = new SqliteKV(file(), { maxQueuedWrites: 10 });
    try {
      const settled = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => kv.create(`/q/${i}`, enc(String(i)))));
      const ok = settled.filter((s) => s.status === 'fulfilled');
      const refused = settled.filter((s) => s.status === 'rejected');
      assert.equal(ok.length, 10);
      for (const r of refused) assert.ok(r.reason instanceof KVError && r.reason.code === 'Unavailable');
      assert.equal((await kv.range('/q/', { end: prefixEnd('/q/'), countOnly: true })).count, 10);
      // The queue drains: later writes are accepted again.
      assert.equal((await kv.create('/q/later', enc('x'))).succeeded, true);
    } finally {
      await kv.close();
    }
  });

  it('close commits writes that were already queued', async () => {
    const path = file();
    const kv = new SqliteKV(path);
    const pending = Array.from({ length: 20 }, (_, i) => kv.create(`/c/${i}`, enc(String(i))));
    await kv.close();
    const results = await Promise.all(pending);
    assert.ok(results.every((r) => r.succeeded));
    const reopened = new SqliteKV(path);
    try {
      assert.equal((await reopened.range('/c/', { end: prefixEnd('/c/'), countOnly: true })).count, 20);
    } finally {
      await reopened.close();
    }
  });
});
