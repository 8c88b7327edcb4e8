// Measures the protobuf codec on the request path (no assertions; prints numbers):
// a 1 KiB ConfigMap and a typical Deployment, each encoded from kube JSON to an enveloped
// protobuf body and decoded back, next to JSON.parse/JSON.stringify of the same object.
// Usage (after `npx tsc -b`): node shared/schema/scripts/bench-protobuf.mjs [seconds per row]

import { decodeObject, encodeObject } from '../dist/index.js';

const seconds = Number(process.argv[2] ?? 1);
const T = '2024-01-02T03:04:05Z';

const configMap = {
  kind: 'ConfigMap',
  apiVersion: 'v1',
  metadata: { name: 'bench', namespace: 'default', uid: '0b3c1c7e-4a0f-4d7e-9a55-3f0b8e1c2d3a', resourceVersion: '12345', creationTimestamp: T, labels: { app: 'bench' } },
  data: { payload: 'x'.repeat(1024 - 240) },
};

const deployment = {
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  metadata: {
    name: 'web', namespace: 'default', uid: '0b3c1c7e-4a0f-4d7e-9a55-3f0b8e1c2d3a', resourceVersion: '12345', generation: 1, creationTimestamp: T,
    labels: { app: 'web' }, annotations: { 'deployment.kubernetes.io/revision': '1' },
    managedFields: [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T, fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } } }],
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '500m', memory: '128Mi' } },
          terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
        restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', securityContext: {}, schedulerName: 'default-scheduler',
      },
    },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  },
  status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3,
    conditions: [{ type: 'Available', status: 'True', lastUpdateTime: T, lastTransitionTime: T, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }] },
};

function measure(label, fn) {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    now = process.hrtime.bigint();
  }
  const perOp = Number(now - start) / n / 1000;
  console.log(`${label.padEnd(44)} ${Math.round(1e6 / perOp).toString().padStart(8)} ops/s  ${perOp.toFixed(2).padStart(7)} µs/op`);
}

for (const [name, object] of [['ConfigMap (1 KiB JSON)', configMap], ['Deployment', deployment]]) {
  const json = Buffer.from(JSON.stringify(object));
  const wire = encodeObject(object);
  console.log(`${name}: ${json.length} bytes JSON, ${wire.length} bytes protobuf`);
  measure(`  encode JSON object -> protobuf`, () => encodeObject(object));
  measure(`  decode protobuf -> JSON object`, () => decodeObject(wire));
  measure(`  response path: JSON bytes -> protobuf`, () => encodeObject(JSON.parse(json.toString('utf8'))));
  measure(`  request path: protobuf -> JSON bytes`, () => Buffer.from(JSON.stringify(decodeObject(wire))));
  measure(`  baseline JSON.parse + JSON.stringify`, () => JSON.stringify(JSON.parse(json.toString('utf8'))));
}
