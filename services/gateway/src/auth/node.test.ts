import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { NodeAuthorizer } from './node.js';

const pod = (ns: string, name: string, node: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name }, spec: { nodeName: node, ...spec } }) as KubeObject;

it('lets a kubelet read only what the pods on its node refer to', async () => {
  const pods: KubeObject[] = [
    pod('default', 'web', 'n1', {
      serviceAccountName: 'web-sa',
      containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'settings' } }], env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'p' } } }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
    }),
  ];
  const z = new NodeAuthorizer({
    podsOnNode: async (node) => pods.filter((p) => (p as { spec: { nodeName: string } }).spec.nodeName === node),
    getPersistentVolumeClaim: async (_ns, name) => (name === 'data' ? ({ metadata: { name }, spec: { volumeName: 'pv-1' } } as KubeObject) : undefined),
  });
  const n1 = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
  const n2 = { username: 'system:node:n2', groups: ['system:nodes'] };
  const get = (user: typeof n1, resource: string, namespace: string, name: string, subresource = '', verb = 'get') =>
    z.authorize({ user, verb, resourceRequest: true, apiGroup: '', resource, subresource, namespace, name });
  assert.equal((await get(n1, 'secrets', 'default', 'db')).decision, 'allow');
  assert.equal((await get(n1, 'configmaps', 'default', 'settings')).decision, 'allow');
  assert.equal((await get(n1, 'persistentvolumeclaims', 'default', 'data')).decision, 'allow');
  assert.equal((await get(n1, 'persistentvolumes', '', 'pv-1')).decision, 'allow');
  assert.equal((await get(n1, 'serviceaccounts', 'default', 'web-sa', 'token', 'create')).decision, 'allow');
  assert.deepEqual(await get(n1, 'secrets', 'default', 'other'), { decision: 'no-opinion', reason: "no relationship found between node 'n1' and this object" });
  assert.equal((await get(n2, 'secrets', 'default', 'db')).decision, 'no-opinion');
  // the static node rules: reading pods, updating pod status
  assert.equal((await get(n2, 'pods', 'default', 'web', '', 'list')).decision, 'allow');
  assert.equal((await get(n2, 'pods', 'default', 'web', 'status', 'patch')).decision, 'allow');
  assert.equal((await get(n2, 'deployments', 'default', 'web', '', 'delete')).decision, 'no-opinion');
  // not a node: no opinion
  assert.equal((await get({ username: 'system:node:n1', groups: [] }, 'secrets', 'default', 'db')).decision, 'no-opinion');
});
