import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  accessModesString,
  componentStatusPrinter,
  configMapPrinter,
  namespacePrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  resourceQuotaPrinter,
  secretPrinter,
  serviceAccountPrinter,
} from './core.js';
import { eventPrinter, eventsV1Printer } from './events.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString();
const names = (p: { columns: readonly { name: string }[] }): string[] => p.columns.map((c) => c.name);

describe('core printers', () => {
  test('namespaces, secrets, configmaps, serviceaccounts', () => {
    assert.deepEqual(names(namespacePrinter), ['Name', 'Status', 'Age']);
    assert.deepEqual(namespacePrinter.cells({ metadata: { name: 'default', creationTimestamp: ago(86400 * 3) }, status: { phase: 'Active' } }, NOW), ['default', 'Active', '3d']);
    assert.deepEqual(namespacePrinter.cells({ metadata: { name: 'gone' }, status: { phase: 'Terminating' } }, NOW), ['gone', 'Terminating', '<unknown>']);
    assert.deepEqual(names(secretPrinter), ['Name', 'Type', 'Data', 'Age']);
    assert.deepEqual(secretPrinter.cells({ metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eQ==' } }, NOW), ['s', 'kubernetes.io/tls', 2, '<unknown>']);
    assert.deepEqual(configMapPrinter.cells({ metadata: { name: 'c' }, data: { a: '1' }, binaryData: { b: 'AA==' } }, NOW), ['c', 2, '<unknown>']);
    assert.deepEqual(configMapPrinter.cells({ metadata: { name: 'empty' } }, NOW), ['empty', 0, '<unknown>']);
    assert.deepEqual(serviceAccountPrinter.cells({ metadata: { name: 'default' }, secrets: [{ name: 'tok' }] }, NOW), ['default', 1, '<unknown>']);
    assert.deepEqual(serviceAccountPrinter.cells({ metadata: { name: 'sa' } }, NOW), ['sa', 0, '<unknown>']);
    assert.equal(configMapPrinter.columns[1]!.type, 'string');
    assert.match(configMapPrinter.columns[1]!.description, /^Data contains the configuration data/);
  });

  test('nodes: STATUS, ROLES (sorted, both label forms), VERSION and the wide cells', () => {
    assert.deepEqual(names(nodePrinter), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
    const node = {
      metadata: { name: 'n1', creationTimestamp: ago(3600 * 5), labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'infra', 'node-role.kubernetes.io/': 'x' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '1.2.3.4' }],
        nodeInfo: { kubeletVersion: 'v1.36.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://2.0' },
      },
    };
    assert.deepEqual(nodePrinter.cells(node, NOW), ['n1', 'Ready,SchedulingDisabled', 'control-plane,infra,worker', '5h', 'v1.36.0', '10.0.0.1', '1.2.3.4', 'Debian', '6.1', 'containerd://2.0']);
    assert.deepEqual(nodePrinter.cells({ metadata: { name: 'bare' } }, NOW), ['bare', 'Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
    assert.equal(nodePrinter.cells({ status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, NOW)[1], 'NotReady');
  });

  test('events: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE and the wide cells', () => {
    assert.deepEqual(names(eventPrinter), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
    assert.deepEqual(
      eventPrinter.columns.map((c) => c.priority),
      [0, 0, 0, 0, 1, 1, 0, 1, 1, 1],
    );
    const event = {
      metadata: { name: 'web.17a' },
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{nginx}' },
      reason: 'Pulled',
      message: '  Successfully pulled image\n',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: ago(300),
      lastTimestamp: ago(20),
      count: 3,
      type: 'Normal',
    };
    assert.deepEqual(eventPrinter.cells(event, NOW), ['20s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{nginx}', 'kubelet, n1', 'Successfully pulled image', '5m', 3, 'web.17a']);
    // new-style event: eventTime, no count, reporting controller; a series wins
    const fresh = { metadata: { name: 'e2' }, involvedObject: { kind: 'Node' }, eventTime: '2024-05-01T11:59:00.000000Z', reportingController: 'ctrl', type: 'Warning' };
    assert.deepEqual(eventPrinter.cells(fresh, NOW), ['60s', 'Warning', '', 'node', '', 'ctrl', '', '60s', 1, 'e2']);
    const series = { ...fresh, series: { count: 7, lastObservedTime: '2024-05-01T11:59:50.000000Z' } };
    assert.deepEqual(eventPrinter.cells(series, NOW).slice(0, 1).concat(eventPrinter.cells(series, NOW)[8]), ['10s', 7]);
    assert.deepEqual(eventPrinter.cells({}, NOW), ['<unknown>', '', '', '', '', '', '', '<unknown>', 1, '']);
  });

  test('events.k8s.io/v1 events print like core events', () => {
    const event = {
      metadata: { name: 'web.17a' },
      regarding: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      note: 'Scaled up replica set web-1 to 2',
      deprecatedSource: { component: 'deployment-controller' },
      deprecatedFirstTimestamp: ago(120),
      deprecatedLastTimestamp: ago(60),
      deprecatedCount: 2,
      type: 'Normal',
    };
    assert.deepEqual(eventsV1Printer.cells(event, NOW), ['60s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up replica set web-1 to 2', '2m', 2, 'web.17a']);
  });

  test('persistent volumes and claims', () => {
    assert.equal(accessModesString(['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce', 'ReadWriteOncePod', 'ReadOnlyMany']), 'RWO,ROX,RWX,RWOP');
    const pv = {
      metadata: { name: 'pv1', annotations: { 'volume.beta.kubernetes.io/storage-class': 'beta' } },
      spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'ns', name: 'data' }, storageClassName: 'fast', volumeMode: 'Filesystem' },
      status: { phase: 'Bound' },
    };
    assert.deepEqual(persistentVolumePrinter.cells(pv, NOW), ['pv1', '10Gi', 'RWO', 'Retain', 'Bound', 'ns/data', 'beta', '<unset>', '', '<unknown>', 'Filesystem']);
    assert.deepEqual(persistentVolumePrinter.cells({ metadata: { name: 'p', deletionTimestamp: ago(1) }, status: { phase: 'Released' } }, NOW).slice(1, 11), [
      '0',
      '',
      '',
      'Terminating',
      '',
      '',
      '<unset>',
      '',
      '<unknown>',
      '<unset>',
    ]);
    const bound = {
      metadata: { name: 'data' },
      spec: { volumeName: 'pv1', storageClassName: 'fast', resources: { requests: { storage: '1Gi' } }, volumeAttributesClassName: 'gold' },
      status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] },
    };
    assert.deepEqual(persistentVolumeClaimPrinter.cells(bound, NOW), ['data', 'Bound', 'pv1', '10Gi', 'RWO', 'fast', 'gold', '<unknown>', '<unset>']);
    assert.deepEqual(persistentVolumeClaimPrinter.cells({ metadata: { name: 'p' }, spec: {}, status: { phase: 'Pending' } }, NOW).slice(1, 7), ['Pending', '', '', '', '', '<unset>']);
  });

  test('resource quotas split requests and limits; component statuses', () => {
    const quota = {
      metadata: { name: 'q' },
      status: { hard: { 'requests.cpu': '2', pods: '10', 'limits.memory': '4Gi', 'limits.cpu': '4' }, used: { 'requests.cpu': '500m', pods: '3', 'limits.cpu': '1' } },
    };
    assert.deepEqual(resourceQuotaPrinter.cells(quota, NOW), ['q', 'pods: 3/10, requests.cpu: 500m/2', 'limits.cpu: 1/4, limits.memory: 0/4Gi', '<unknown>']);
    assert.deepEqual(names(resourceQuotaPrinter), ['Name', 'Request', 'Limit', 'Age']);
    assert.deepEqual(componentStatusPrinter.cells({ metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] }, NOW), ['etcd-0', 'Healthy', 'ok', '']);
    assert.deepEqual(componentStatusPrinter.cells({ metadata: { name: 'x' } }, NOW), ['x', 'Unknown', '', '']);
  });
});
