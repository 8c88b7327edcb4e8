import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { admit, attributesFor, input } from './test-support.js';
import { deploymentStrategy } from './deployment.js';
import { replicaSetStrategy } from './replicaset.js';
import { statefulSetStrategy } from './statefulset.js';
import { daemonSetStrategy } from './daemonset.js';
import type { TypeStrategy } from './type-strategy.js';

function workload(kind: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = { app: 'x' }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'w', namespace: 'default', uid: 'u', resourceVersion: '1' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } }, ...spec },
  } as KubeObject;
}

function errorsOf(strategy: TypeStrategy, kind: string, object: KubeObject, old?: KubeObject): string[] {
  const attributes = attributesFor('apps', kind, object, old);
  strategy.default!(object, attributes);
  if (old) strategy.default!(old, attributes);
  return strategy.validate!(attributes).map((e) => e.errorString());
}

describe('apps/v1 defaults (pkg/apis/apps/v1/defaults_test.go)', () => {
  it('Deployment: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600, template defaults', () => {
    const d = workload('Deployment');
    deploymentStrategy.default!(d, attributesFor('apps', 'Deployment', d));
    const spec = d.spec as any;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
    assert.equal(spec.template.spec.restartPolicy, 'Always');
    assert.equal(spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    // Templates get SetDefaults_PodSpec, never SetDefaults_Pod.
    assert.equal(spec.template.spec.enableServiceLinks, undefined);
    assert.equal(spec.template.spec.priority, undefined);
  });

  it('Deployment: Recreate gets no rolling update', () => {
    const d = workload('Deployment', { strategy: { type: 'Recreate' }, replicas: 3 });
    deploymentStrategy.default!(d, attributesFor('apps', 'Deployment', d));
    assert.deepEqual((d.spec as any).strategy, { type: 'Recreate' });
    assert.equal((d.spec as any).replicas, 3);
  });

  it('StatefulSet: OrderedReady, RollingUpdate partition 0, Retain/Retain, replicas 1, revisionHistoryLimit 10', () => {
    const s = workload('StatefulSet', { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] });
    statefulSetStrategy.default!(s, attributesFor('apps', 'StatefulSet', s));
    const spec = s.spec as any;
    assert.equal(spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } });
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(spec.replicas, 1);
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  });

  it('DaemonSet: RollingUpdate maxUnavailable 1 maxSurge 0, revisionHistoryLimit 10; ReplicaSet: replicas 1', () => {
    const ds = workload('DaemonSet');
    daemonSetStrategy.default!(ds, attributesFor('apps', 'DaemonSet', ds));
    assert.deepEqual((ds.spec as any).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal((ds.spec as any).revisionHistoryLimit, 10);
    const rs = workload('ReplicaSet');
    replicaSetStrategy.default!(rs, attributesFor('apps', 'ReplicaSet', rs));
    assert.equal((rs.spec as any).replicas, 1);
  });
});

describe('apps/v1 validation', () => {
  it('accepts valid workloads', () => {
    assert.deepEqual(errorsOf(deploymentStrategy, 'Deployment', workload('Deployment')), []);
    assert.deepEqual(errorsOf(replicaSetStrategy, 'ReplicaSet', workload('ReplicaSet')), []);
    assert.deepEqual(errorsOf(statefulSetStrategy, 'StatefulSet', workload('StatefulSet')), []);
    assert.deepEqual(errorsOf(daemonSetStrategy, 'DaemonSet', workload('DaemonSet')), []);
  });

  it('a selector that does not match the template labels', () => {
    assert.deepEqual(errorsOf(deploymentStrategy, 'Deployment', workload('Deployment', {}, { app: 'y' })), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    ]);
  });

  it('a missing selector (kube reports both errors)', () => {
    const d = workload('Deployment');
    delete (d.spec as any).selector;
    assert.deepEqual(errorsOf(deploymentStrategy, 'Deployment', d), [
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
    ]);
  });

  it('an empty selector, bad strategy values, a template that does not restart', () => {
    const d = workload('Deployment', {
      selector: {},
      replicas: -1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '120%', maxSurge: 'x' } },
    });
    (d.spec as any).template.spec.restartPolicy = 'Never';
    assert.deepEqual(errorsOf(deploymentStrategy, 'Deployment', d), [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"x"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
    ]);
  });

  it('an unknown strategy type prints the strategy struct as Go does', () => {
    assert.deepEqual(errorsOf(deploymentStrategy, 'Deployment', workload('Deployment', { strategy: { type: 'Foo' } })), [
      'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Foo", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
    ]);
    assert.deepEqual(errorsOf(statefulSetStrategy, 'StatefulSet', workload('StatefulSet', { updateStrategy: { type: 'Foo' } })), [
      `spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Foo", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'`,
    ]);
  });

  it('StatefulSet maxUnavailable may not be 0', () => {
    assert.deepEqual(errorsOf(statefulSetStrategy, 'StatefulSet', workload('StatefulSet', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } })), [
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: cannot be 0',
    ]);
  });

  it('the template pod spec is validated with its path', () => {
    const d = workload('Deployment');
    (d.spec as any).template.spec.containers[0].image = '';
    assert.deepEqual(errorsOf(deploymentStrategy, 'Deployment', d), ['spec.template.spec.containers[0].image: Required value']);
  });

  it('selectors are immutable on update', () => {
    const old = workload('Deployment');
    const next = workload('Deployment', { selector: { matchLabels: { app: 'x', tier: 'web' } } }, { app: 'x', tier: 'web' });
    assert.deepEqual(errorsOf(deploymentStrategy, 'Deployment', next, old), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "tier":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    assert.equal(errorsOf(daemonSetStrategy, 'DaemonSet', workload('DaemonSet', { selector: { matchLabels: { app: 'x', b: 'c' } } }, { app: 'x', b: 'c' }), workload('DaemonSet')).length, 1);
  });

  it('StatefulSet updates may only change some fields', () => {
    const old = workload('StatefulSet', { serviceName: 'a' });
    assert.deepEqual(errorsOf(statefulSetStrategy, 'StatefulSet', workload('StatefulSet', { serviceName: 'a', replicas: 5 }), old), []);
    assert.deepEqual(errorsOf(statefulSetStrategy, 'StatefulSet', workload('StatefulSet', { serviceName: 'b' }), workload('StatefulSet', { serviceName: 'a' })), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it('never throws on odd input', () => {
    for (const spec of [null, 1, [], { selector: 'x', template: 3 }, { selector: { matchLabels: 1, matchExpressions: [null, { operator: 'Bad' }] }, template: { metadata: { labels: 'x' } } }, { strategy: { type: 'RollingUpdate', rollingUpdate: null }, updateStrategy: 'x' }]) {
      for (const [kind, strategy] of [['Deployment', deploymentStrategy], ['ReplicaSet', replicaSetStrategy], ['StatefulSet', statefulSetStrategy], ['DaemonSet', daemonSetStrategy]] as const) {
        const o = { apiVersion: 'apps/v1', kind, metadata: { name: 'w' }, spec } as unknown as KubeObject;
        errorsOf(strategy, kind, structuredClone(o));
        errorsOf(strategy, kind, structuredClone(o), structuredClone(o));
      }
    }
  });

  it('reads as kubectl prints it through the chain', async () => {
    const d = workload('Deployment', {}, { app: 'y' });
    const out = await admit(input('deployments', 'apps', 'v1', 'Deployment', d));
    assert.equal(out.message, 'Deployment.apps "w" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`');
  });
});
