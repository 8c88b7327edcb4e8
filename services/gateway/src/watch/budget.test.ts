import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BudgetedWatcher, WatchBufferBudget } from './budget.js';

function watcher(budget: WatchBufferBudget): BudgetedWatcher & { bytes: number; evicted: boolean } {
  const w = {
    bytes: 0,
    evicted: false,
    backlog: () => w.bytes,
    evict: () => {
      w.evicted = true;
      w.bytes = 0;
    },
  };
  budget.add(w);
  return w;
}

test('accounts each watcher backlog and releases it on remove', () => {
  const budget = new WatchBufferBudget(1000);
  const a = watcher(budget);
  const b = watcher(budget);
  a.bytes = 300;
  assert.equal(budget.update(a), true);
  b.bytes = 400;
  assert.equal(budget.update(b), true);
  assert.equal(budget.total, 700);
  a.bytes = 100; // drained
  budget.update(a);
  assert.equal(budget.total, 500);
  budget.remove(b);
  assert.equal(budget.total, 100);
  assert.equal(budget.watchers, 1);
});

test('over the limit, the largest backlogs are evicted first until the total fits', () => {
  const budget = new WatchBufferBudget(1000);
  const slow = watcher(budget);
  const slower = watcher(budget);
  const reader = watcher(budget);
  slow.bytes = 400;
  budget.update(slow);
  slower.bytes = 500;
  budget.update(slower);
  reader.bytes = 50;
  budget.update(reader);
  slow.bytes = 480; // 480 + 500 + 50 > 1000: the largest (slower) goes, leaving 530 <= 900
  assert.equal(budget.update(slow), true);
  assert.equal(slower.evicted, true);
  assert.equal(slow.evicted, false);
  assert.equal(reader.evicted, false);
  assert.equal(budget.total, 530);
  assert.equal(budget.evicted, 1);
  assert.ok(budget.total <= budget.limitBytes);
});

test('a watcher can evict itself; 10,000 watchers stay within the budget', () => {
  const budget = new WatchBufferBudget(64 * 1024 * 1024);
  const all = Array.from({ length: 10_000 }, () => watcher(budget));
  // Every watcher falls 64 KiB behind, round after round, and nobody reads.
  for (let round = 0; round < 4; round++) {
    for (const w of all) {
      if (w.evicted) continue;
      w.bytes += 64 * 1024;
      budget.update(w);
      assert.ok(budget.total <= budget.limitBytes);
    }
  }
  const open = all.filter((w) => !w.evicted).length;
  assert.ok(open > 0 && open < 10_000, `${open} open`);
  assert.equal(budget.watchers, open);
  assert.equal(budget.evicted, 10_000 - open);
});
