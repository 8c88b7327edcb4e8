import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowController, StaticConfigSource, DroppedRequestsTracker, stableUID } from './controller.js';
import { bootstrapConfiguration } from '@kapi/apimachinery';
import { APF_AUTOUPDATE_ANNOTATION } from '@kapi/apimachinery';

describe('FlowController', () => {
  test('nominal concurrency limits are ceil(serverCL × shares / Σ shares), as kube reports them', () => {
    const fc = new FlowController({ source: new StaticConfigSource(), serverConcurrencyLimit: 600 });
    const limits = Object.fromEntries([...fc.priorityLevels].map(([name, l]) => [name, l.nominalConcurrencyLimit]));
    assert.deepEqual(limits, {
      exempt: 0,
      'catch-all': 13,
      system: 74,
      'node-high': 98,
      'leader-election': 25,
      'workload-high': 98,
      'workload-low': 245,
      'global-default': 49,
    });
    assert.equal(fc.priorityLevels.get('exempt')?.queueSet, undefined);
    assert.equal(fc.priorityLevels.get('catch-all')?.queueSet?.concurrencyLimit, 13);
  });

  test('mandatory objects missing from the source are imagined; dangling schemas are skipped', () => {
    const source = {
      flowSchemas: () => [
        { metadata: { name: 'dangling', uid: 'u1' }, spec: { priorityLevelConfiguration: { name: 'nope' }, matchingPrecedence: 5, rules: [{ subjects: [{ kind: 'Group' as const, group: { name: '*' } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] } },
      ],
      priorityLevels: () => [],
      onChange: () => undefined,
    };
    const fc = new FlowController({ source, serverConcurrencyLimit: 10 });
    const c = fc.classify({ user: { username: 'bob', groups: ['system:authenticated'] }, requestInfo: { isResourceRequest: false, verb: 'get', apiGroup: '', resource: '', subresource: '', namespace: '', path: '/x' } });
    assert.equal(c.flowSchema.metadata.name, 'catch-all');
    assert.equal(c.level.nominalConcurrencyLimit, 10);
    assert.equal(c.flowSchema.metadata.uid, stableUID('FlowSchema', 'catch-all'));
  });

  test('configuration changes reconfigure levels in place', () => {
    let shares = 5;
    let cb: () => void = () => undefined;
    const base = bootstrapConfiguration();
    const source = {
      flowSchemas: () => base.flowSchemas,
      priorityLevels: () => base.priorityLevels.map((p) => (p.metadata.name === 'catch-all' ? { ...p, spec: { ...p.spec, limited: { ...p.spec.limited!, nominalConcurrencyShares: shares } } } : p)),
      onChange: (f: () => void) => void (cb = f),
    };
    const fc = new FlowController({ source, serverConcurrencyLimit: 600 });
    const qs = fc.priorityLevels.get('catch-all')!.queueSet;
    shares = 245;
    cb();
    assert.equal(fc.priorityLevels.get('catch-all')!.queueSet, qs);
    assert.equal(qs?.concurrencyLimit, Math.ceil((600 * 245) / (245 - 5 + 245)));
  });

  test('LIST costs a seat per 100 objects when counts are known, capped at 10', () => {
    const fc = new FlowController({ source: new StaticConfigSource(), serverConcurrencyLimit: 600, objectCount: (_g, r) => (r === 'pods' ? 2_550 : undefined) });
    const d = (verb: string, resource: string) => ({ user: { username: 'a', groups: ['system:authenticated'] }, requestInfo: { isResourceRequest: true, verb, apiGroup: '', resource, subresource: '', namespace: '', path: '' } });
    const level = fc.priorityLevels.get('global-default')!;
    assert.equal(fc.estimateSeats(d('list', 'pods'), level), 10);
    assert.equal(fc.estimateSeats(d('get', 'pods'), level), 1);
    assert.equal(fc.estimateSeats(d('list', 'secrets'), level), 1);
  });

  test('dump reports every level with its counters', async () => {
    const fc = new FlowController({ source: new StaticConfigSource(), serverConcurrencyLimit: 1 });
    const c = fc.classify({ user: { username: 'a', groups: ['system:authenticated'] }, requestInfo: { isResourceRequest: false, verb: 'get', apiGroup: '', resource: '', subresource: '', namespace: '', path: '/api' } });
    const first = await fc.admit(c, 1, 1_000);
    assert.equal(first.kind, 'executing');
    const row = fc.dump().find((r) => r.name === 'global-default')!;
    assert.deepEqual({ seats: row.seatsInUse, dispatched: row.dispatched, limit: row.nominalConcurrencyLimit }, { seats: 1, dispatched: 1, limit: 1 });
    if (first.kind === 'executing') first.release();
    assert.equal(fc.dump().length, 8);
  });
});

describe('bootstrap objects', () => {
  test('names, order and the autoupdate annotation', () => {
    const { flowSchemas, priorityLevels } = bootstrapConfiguration();
    assert.deepEqual(priorityLevels.map((p) => p.metadata.name), ['exempt', 'catch-all', 'system', 'node-high', 'leader-election', 'workload-high', 'workload-low', 'global-default']);
    assert.deepEqual(flowSchemas.map((f) => f.metadata.name), [
      'exempt', 'catch-all', 'system-nodes', 'system-node-high', 'probes', 'system-leader-election', 'workload-leader-election',
      'endpoint-controller', 'kube-controller-manager', 'kube-scheduler', 'kube-system-service-accounts', 'service-accounts', 'global-default',
    ]);
    for (const o of [...flowSchemas, ...priorityLevels]) {
      assert.equal(o.metadata.annotations?.[APF_AUTOUPDATE_ANNOTATION], 'true');
      assert.equal(o.apiVersion, 'flowcontrol.apiserver.k8s.io/v1');
    }
    assert.deepEqual(priorityLevels[1]!.spec, { type: 'Limited', limited: { nominalConcurrencyShares: 5, limitResponse: { type: 'Reject' }, lendablePercent: 0 } });
    // fresh copies every call
    flowSchemas[0]!.metadata.name = 'changed';
    assert.equal(bootstrapConfiguration().flowSchemas[0]!.metadata.name, 'exempt');
  });
});

describe('Retry-After', () => {
  test('starts at 1, doubles under sustained rejection, decays when it stops', () => {
    const t = new DroppedRequestsTracker();
    assert.equal(t.get('p'), 1);
    const at = (s: number, n = 1) => { for (let i = 0; i < n; i++) t.record('p', s * 1000 + i); };
    at(100, 5);
    at(101, 1); // 5 dropped in the last second ≥ 3 × 1 → 2
    assert.equal(t.get('p'), 2);
    at(102, 10);
    at(103, 1); // 11 in the last 2 s ≥ 6, 2 s since the increase → 4
    assert.equal(t.get('p'), 4);
    at(120, 1); // nothing recent: shrinks by one
    assert.equal(t.get('p'), 3);
    assert.equal(t.get('other'), 1);
  });
});
