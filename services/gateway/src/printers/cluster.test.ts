import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildTable } from '../table.js';
import {
  admissionPolicyBindingPrinter,
  csiDriverPrinter,
  csiNodePrinter,
  csiStorageCapacityPrinter,
  flowSchemaPrinter,
  labelSelectorGoString,
  leasePrinter,
  mutatingAdmissionPolicyPrinter,
  priorityClassPrinter,
  priorityLevelConfigurationPrinter,
  resourceClaimPrinter,
  resourceSlicePrinter,
  runtimeClassPrinter,
  storageClassPrinter,
  validatingAdmissionPolicyPrinter,
  volumeAttachmentPrinter,
  volumeAttributesClassPrinter,
  webhookConfigurationPrinter,
} from './cluster.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString();
const names = (p: { columns: readonly { name: string }[] }): string[] => p.columns.map((c) => c.name);

describe('cluster configuration printers', () => {
  test('storage classes: "(default)", kube defaults for reclaim policy and binding mode', () => {
    assert.deepEqual(names(storageClassPrinter), ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
    const sc = { metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true };
    assert.deepEqual(storageClassPrinter.cells(sc, NOW), ['standard (default)', 'rancher.io/local-path', 'Retain', 'WaitForFirstConsumer', true, '<unknown>']);
    assert.deepEqual(storageClassPrinter.cells({ metadata: { name: 'x', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'false' } }, provisioner: 'p' }, NOW), ['x', 'p', 'Delete', 'Immediate', false, '<unknown>']);
    assert.deepEqual(volumeAttributesClassPrinter.cells({ metadata: { name: 'gold' }, driverName: 'csi.example.com' }, NOW), ['gold', 'csi.example.com', '<unknown>']);
  });

  test('CSI drivers, nodes, storage capacities, volume attachments', () => {
    assert.deepEqual(csiDriverPrinter.cells({ metadata: { name: 'csi.example.com' }, spec: {} }, NOW), ['csi.example.com', true, false, false, '<unset>', false, 'Persistent', '<unknown>']);
    assert.deepEqual(
      csiDriverPrinter.cells({ metadata: { name: 'd' }, spec: { attachRequired: false, podInfoOnMount: true, tokenRequests: [{ audience: 'a' }, { audience: 'b' }], volumeLifecycleModes: ['Persistent', 'Ephemeral'] } }, NOW),
      ['d', false, true, false, 'a,b', false, 'Persistent,Ephemeral', '<unknown>'],
    );
    assert.deepEqual(csiNodePrinter.cells({ metadata: { name: 'n1' }, spec: { drivers: [{ name: 'a' }] } }, NOW), ['n1', 1, '<unknown>']);
    assert.deepEqual(csiStorageCapacityPrinter.cells({ metadata: { name: 'c' }, storageClassName: 'fast', capacity: '100Gi' }, NOW), ['c', 'fast', '100Gi']);
    assert.deepEqual(csiStorageCapacityPrinter.cells({ metadata: { name: 'c' } }, NOW), ['c', '', '<unset>']);
    assert.deepEqual(
      volumeAttachmentPrinter.cells({ metadata: { name: 'va' }, spec: { attacher: 'csi.example.com', source: { persistentVolumeName: 'pv1' }, nodeName: 'n1' }, status: { attached: true } }, NOW),
      ['va', 'csi.example.com', 'pv1', 'n1', true, '<unknown>'],
    );
  });

  test('priority classes, runtime classes, leases', () => {
    assert.deepEqual(priorityClassPrinter.cells({ metadata: { name: 'high' }, value: 1000, globalDefault: true }, NOW), ['high', 1000, true, '<unknown>', 'PreemptLowerPriority']);
    assert.deepEqual(priorityClassPrinter.cells({ metadata: { name: 'low' }, value: -5, preemptionPolicy: 'Never' }, NOW), ['low', -5, false, '<unknown>', 'Never']);
    assert.deepEqual(runtimeClassPrinter.cells({ metadata: { name: 'gvisor' }, handler: 'runsc' }, NOW), ['gvisor', 'runsc', '<unknown>']);
    assert.equal(runtimeClassPrinter.columns[1]!.description, '');
    assert.deepEqual(leasePrinter.cells({ metadata: { name: 'kube-scheduler', creationTimestamp: ago(30) }, spec: { holderIdentity: 'node-1_abc' } }, NOW), ['kube-scheduler', 'node-1_abc', '30s']);
    assert.deepEqual(leasePrinter.cells({ metadata: { name: 'l' } }, NOW), ['l', '', '<unknown>']);
  });

  test('webhook configurations and admission policies', () => {
    assert.deepEqual(webhookConfigurationPrinter.cells({ metadata: { name: 'w' }, webhooks: [{ name: 'a' }, { name: 'b' }] }, NOW), ['w', 2, '<unknown>']);
    assert.deepEqual(validatingAdmissionPolicyPrinter.cells({ metadata: { name: 'vap' }, spec: { validations: [{ expression: 'true' }], paramKind: { apiVersion: 'v1', kind: 'ConfigMap' } } }, NOW), [
      'vap',
      1,
      'v1/ConfigMap',
      '<unknown>',
    ]);
    assert.deepEqual(mutatingAdmissionPolicyPrinter.cells({ metadata: { name: 'map' }, spec: {} }, NOW), ['map', 0, '<unset>', '<unknown>']);
    const binding = (paramRef: unknown): unknown => admissionPolicyBindingPrinter.cells({ metadata: { name: 'b' }, spec: { policyName: 'vap', paramRef } }, NOW)[2];
    assert.equal(binding(undefined), '<unset>');
    assert.equal(binding({ name: 'cfg', namespace: 'ns' }), 'ns/cfg');
    assert.equal(binding({ name: 'cfg' }), '*/cfg');
    assert.equal(
      binding({ selector: { matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['x', 'y'] }] } }),
      '&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:k,Operator:In,Values:[x y],},},}',
    );
    assert.equal(labelSelectorGoString({}), '&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}');
  });

  test('flow schemas (sorted by precedence, then name) and priority levels', () => {
    const fs = (name: string, precedence: number): Record<string, unknown> => ({ metadata: { name }, spec: { priorityLevelConfiguration: { name: 'workload-low' }, matchingPrecedence: precedence } });
    const table = buildTable({ items: [fs('b', 1000), fs('exempt', 1), fs('a', 1000)] }, flowSchemaPrinter, 'None', 'v1', NOW) as { rows: { cells: unknown[] }[] };
    assert.deepEqual(table.rows.map((r) => r.cells[0]), ['exempt', 'a', 'b']);
    const dangling = { ...fs('x', 5), spec: { priorityLevelConfiguration: { name: 'gone' }, matchingPrecedence: 5, distinguisherMethod: { type: 'ByUser' } }, status: { conditions: [{ type: 'Dangling', status: 'True' }] } };
    assert.deepEqual(flowSchemaPrinter.cells(dangling, NOW), ['x', 'gone', 5, 'ByUser', '<unknown>', 'True']);
    assert.deepEqual(flowSchemaPrinter.cells(fs('y', 7), NOW).slice(3), ['<none>', '<unknown>', '?']);
    assert.deepEqual(priorityLevelConfigurationPrinter.cells({ metadata: { name: 'exempt' }, spec: { type: 'Exempt', exempt: {} } }, NOW), ['exempt', 'Exempt', '<none>', '<none>', '<none>', '<none>', '<unknown>']);
    const limited = { metadata: { name: 'global-default' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 20, limitResponse: { type: 'Queue', queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } } } } };
    assert.deepEqual(priorityLevelConfigurationPrinter.cells(limited, NOW), ['global-default', 'Limited', 20, 128, 6, 50, '<unknown>']);
    const reject = { metadata: { name: 'r' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 0, limitResponse: { type: 'Reject' } } } };
    assert.deepEqual(priorityLevelConfigurationPrinter.cells(reject, NOW).slice(2, 6), [0, '<none>', '<none>', '<none>']);
  });

  test('DRA: resource claim state, resource slices', () => {
    assert.equal(resourceClaimPrinter.cells({ metadata: { name: 'c' } }, NOW)[1], 'pending');
    assert.equal(resourceClaimPrinter.cells({ metadata: { name: 'c', deletionTimestamp: ago(1) } }, NOW)[1], 'deleted');
    assert.equal(resourceClaimPrinter.cells({ status: { allocation: {}, reservedFor: [{ name: 'p' }] } }, NOW)[1], 'allocated,reserved');
    assert.equal(resourceClaimPrinter.cells({ metadata: { deletionTimestamp: ago(1) }, status: { allocation: {} } }, NOW)[1], 'deleted,allocated');
    assert.deepEqual(resourceSlicePrinter.cells({ metadata: { name: 's' }, spec: { nodeName: 'n1', driver: 'gpu.example.com', pool: { name: 'n1' } } }, NOW), ['s', 'n1', 'gpu.example.com', 'n1', '<unknown>']);
  });
});
