import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessBus } from './in-process-bus.js';
import { StorageRpc } from './subjects.js';

describe('request deadlines reach handlers', () => {
  it('gives the handler the time the caller waits, on the receiver clock', async () => {
    const bus = new InProcessBus();
    let seen: number | undefined;
    await bus.serve(StorageRpc.health, async (_req, ctx) => {
      seen = ctx.deadline;
      return { service: 'storage', instance: 'x', checks: [] };
    });
    const before = Date.now();
    await bus.request(StorageRpc.health, {}, { timeoutMs: 1_500 });
    assert.ok(seen !== undefined, 'a deadline was given');
    assert.ok(seen >= before + 1_400 && seen <= Date.now() + 1_500, `deadline ${seen - before} ms after the call`);
    await bus.close();
  });
});
