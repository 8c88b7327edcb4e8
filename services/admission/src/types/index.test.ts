import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { applyTypeDefaults, typeStrategyFor, validateType } from './index.js';
import { attributesFor } from './test-support.js';

const KINDS: [string, string][] = [
  ['', 'Pod'], ['', 'Secret'], ['', 'ConfigMap'], ['', 'PodTemplate'], ['', 'ReplicationController'],
  ['apps', 'Deployment'], ['apps', 'ReplicaSet'], ['apps', 'StatefulSet'], ['apps', 'DaemonSet'],
  ['batch', 'Job'], ['batch', 'CronJob'],
];

/** Shapes the decoder would have refused, and shapes it lets through, at every level. */
const ODD_VALUES: unknown[] = [null, 0, -1, 'x', true, [], {}, [null], [1, 'a', {}], { a: null }];

function oddObjects(): unknown[] {
  const out: unknown[] = [];
  for (const v of ODD_VALUES) {
    out.push({ metadata: { name: 'x' }, spec: v });
    out.push({ metadata: { name: 'x' }, spec: { template: v, selector: v, containers: v, jobTemplate: v, strategy: v, updateStrategy: v } });
    out.push({ metadata: { name: 'x' }, spec: { template: { metadata: v, spec: { containers: [v], volumes: [v], initContainers: v, tolerations: [v], securityContext: v } } } });
    out.push({ metadata: { name: 'x' }, data: v, binaryData: v, stringData: v, type: v, immutable: v, template: v });
  }
  return out;
}

describe('type strategy registry', () => {
  it('is keyed by group and kind', () => {
    for (const [group, kind] of KINDS) assert.ok(typeStrategyFor(group, kind), `${group}/${kind}`);
    assert.equal(typeStrategyFor('', 'Deployment'), undefined);
    assert.equal(typeStrategyFor('apps', 'toString'), undefined);
  });

  it('defaults the stored object of an update too, so immutability compares like with like', () => {
    const stored = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', resourceVersion: '1' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } } } } as KubeObject;
    const next = structuredClone(stored);
    const attributes = attributesFor('apps', 'Deployment', next, stored);
    assert.equal(applyTypeDefaults(attributes), true);
    assert.equal((stored.spec as any).replicas, 1);
    assert.deepEqual(validateType(attributes), []);
  });

  it('never throws, whatever the shape', () => {
    for (const [group, kind] of KINDS) {
      for (const object of oddObjects()) {
        const create = attributesFor(group, kind, structuredClone(object) as KubeObject);
        applyTypeDefaults(create);
        validateType(create);
        const update = attributesFor(group, kind, structuredClone(object) as KubeObject, structuredClone(object) as KubeObject);
        applyTypeDefaults(update);
        validateType(update);
      }
    }
  });
});
