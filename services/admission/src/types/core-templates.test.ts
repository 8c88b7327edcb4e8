import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { attributesFor } from './test-support.js';
import { podTemplateStrategy } from './podtemplate.js';
import { replicationControllerStrategy } from './replicationcontroller.js';
import type { TypeStrategy } from './type-strategy.js';

function errorsOf(strategy: TypeStrategy, kind: string, object: KubeObject): string[] {
  const attributes = attributesFor('', kind, object);
  strategy.default!(object, attributes);
  return strategy.validate!(attributes).map((e) => e.errorString());
}

const template = (labels?: Record<string, string>) => ({
  metadata: labels ? { labels } : {},
  spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
});

describe('ReplicationController', () => {
  it('SetDefaults_ReplicationController: selector and labels from the template, replicas 1', () => {
    const rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r', namespace: 'default' }, spec: { template: template({ app: 'r' }) } } as unknown as KubeObject;
    assert.deepEqual(errorsOf(replicationControllerStrategy, 'ReplicationController', rc), []);
    const spec = rc.spec as any;
    assert.deepEqual(spec.selector, { app: 'r' });
    assert.deepEqual(rc.metadata!.labels, { app: 'r' });
    assert.equal(spec.replicas, 1);
    assert.equal(spec.template.spec.restartPolicy, 'Always');
  });

  it('validation: selector required and matching, restartPolicy Always', () => {
    const rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r' }, spec: { selector: { app: 'x' }, template: { ...template({ app: 'y' }), spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i:1' }] } } } } as unknown as KubeObject;
    assert.deepEqual(errorsOf(replicationControllerStrategy, 'ReplicationController', rc), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
    const empty = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r' }, spec: { template: template() } } as unknown as KubeObject;
    assert.deepEqual(errorsOf(replicationControllerStrategy, 'ReplicationController', empty), ['spec.selector: Required value']);
  });
});

describe('PodTemplate', () => {
  it('defaults and validates the template', () => {
    const pt = { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 't' }, template: template() } as unknown as KubeObject;
    assert.deepEqual(errorsOf(podTemplateStrategy, 'PodTemplate', pt), []);
    assert.equal((pt as any).template.spec.dnsPolicy, 'ClusterFirst');
    const bad = { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 't' }, template: { spec: { containers: [] } } } as unknown as KubeObject;
    assert.deepEqual(errorsOf(podTemplateStrategy, 'PodTemplate', bad), ['template.spec.containers: Required value']);
  });
});
