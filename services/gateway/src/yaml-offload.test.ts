import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '@kapi/apimachinery';
import { YAMLDecodeError } from './yaml-codec.js';
import { MAX_QUEUED_YAML_JOBS, YAMLOffload } from './yaml-offload.js';

const offload = new YAMLOffload(1024);
after(() => offload.close());

function bigYAML(entries: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: big', 'data:'];
  for (let i = 0; i < entries; i++) lines.push(`  k${i}: v${i}`);
  return lines.join('\n') + '\n';
}

test('small and large documents convert the same way (inline and in the worker)', async () => {
  const small = (await offload.toJSONValue('a: yes\nb: 0777\n')) as Record<string, unknown>;
  assert.deepEqual(small, { a: true, b: 511 });
  const big = (await offload.toJSONValue(bigYAML(2000))) as { data: Record<string, string> };
  assert.equal(Object.keys(big.data).length, 2000);
  assert.equal(big.data.k1999, 'v1999');
  const yaml = await offload.toYAML(JSON.stringify({ kind: 'List', items: Array.from({ length: 500 }, (_, i) => ({ name: `n${i}` })) }));
  assert.match(yaml, /^items:\n- name: n0\n- name: n1\n/);
});

test('decode errors keep their kind across the thread', async () => {
  await assert.rejects(offload.toJSONValue('a: b: c\n' + '#'.repeat(2000)), (err: unknown) => {
    assert.ok(err instanceof YAMLDecodeError);
    assert.match(err.message, /^error converting YAML to JSON: yaml: line 1: /);
    return true;
  });
});

test('an abandoned job frees the queue; the event loop stays responsive meanwhile', async () => {
  const controller = new AbortController();
  const slow = offload.toJSONValue(bigYAML(60_000), controller.signal);
  // The event loop keeps running while the worker parses.
  const tick = Date.now();
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(Date.now() - tick < 500);
  controller.abort(new Error('deadline'));
  await assert.rejects(slow, /deadline/);
  // A fresh worker serves the next job.
  const after = (await offload.toJSONValue(bigYAML(100))) as { data: Record<string, string> };
  assert.equal(after.data.k99, 'v99');
});

test('the queue is bounded', async () => {
  const local = new YAMLOffload(0);
  try {
    const jobs = Array.from({ length: MAX_QUEUED_YAML_JOBS + 3 }, () => local.toJSONValue(bigYAML(500)).then(() => 'ok', (e: unknown) => e));
    const results = await Promise.all(jobs);
    const refused = results.filter((r) => isStatusError(r) && r.code === 429);
    assert.ok(refused.length >= 1, 'some were refused');
    assert.ok(results.filter((r) => r === 'ok').length >= MAX_QUEUED_YAML_JOBS);
  } finally {
    await local.close();
  }
});
