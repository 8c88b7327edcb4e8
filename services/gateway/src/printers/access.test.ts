import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  certificateSigningRequestPrinter,
  clusterRoleBindingPrinter,
  formatHPAMetrics,
  horizontalPodAutoscalerPrinter,
  horizontalPodAutoscalerV1Printer,
  podDisruptionBudgetPrinter,
  roleBindingPrinter,
} from './access.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const names = (p: { columns: readonly { name: string }[] }): string[] => p.columns.map((c) => c.name);

describe('rbac, certificates, policy and autoscaling printers', () => {
  test('role bindings: ROLE kind/name and the wide subjects', () => {
    assert.deepEqual(names(roleBindingPrinter), ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts']);
    const rb = {
      metadata: { name: 'rb' },
      roleRef: { kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', namespace: 'ci', name: 'runner' },
        { kind: 'Other', name: 'x' },
      ],
    };
    assert.deepEqual(roleBindingPrinter.cells(rb, NOW), ['rb', 'ClusterRole/view', '<unknown>', 'alice, bob', 'devs', 'ci/runner']);
    assert.deepEqual(clusterRoleBindingPrinter.cells({ metadata: { name: 'crb' } }, NOW), ['crb', '/', '<unknown>', '', '', '']);
    assert.equal(clusterRoleBindingPrinter.columns[3]!.description, 'Users in the clusterRoleBinding');
  });

  test('certificate signing requests: condition precedence and requested duration', () => {
    assert.deepEqual(names(certificateSigningRequestPrinter), ['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition']);
    const csr = {
      metadata: { name: 'csr-1' },
      spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'alice', expirationSeconds: 86400 },
      status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Failed', status: 'True' }], certificate: 'LS0t' },
    };
    assert.deepEqual(certificateSigningRequestPrinter.cells(csr, NOW), ['csr-1', '<unknown>', 'kubernetes.io/kube-apiserver-client', 'alice', '24h', 'Approved,Failed,Issued']);
    assert.deepEqual(certificateSigningRequestPrinter.cells({ metadata: { name: 'c' }, spec: {} }, NOW).slice(2), ['<none>', '', '<none>', 'Pending']);
    assert.equal(certificateSigningRequestPrinter.cells({ status: { conditions: [{ type: 'Approved' }, { type: 'Denied' }] } }, NOW)[5], 'Denied');
  });

  test('pod disruption budgets: N/A for an unset bound, int-or-string values', () => {
    assert.deepEqual(podDisruptionBudgetPrinter.cells({ metadata: { name: 'pdb' }, spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }, NOW), ['pdb', '2', 'N/A', 1, '<unknown>']);
    assert.deepEqual(podDisruptionBudgetPrinter.cells({ metadata: { name: 'p' }, spec: { maxUnavailable: '25%' } }, NOW), ['p', 'N/A', '25%', 0, '<unknown>']);
  });

  test('HPA targets (formatHPAMetrics) for every metric source', () => {
    assert.equal(formatHPAMetrics([], []), '<none>');
    const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };
    assert.equal(formatHPAMetrics([cpu], []), 'cpu: <unknown>/80%');
    assert.equal(formatHPAMetrics([cpu], [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50, averageValue: '100m' } } }]), 'cpu: 50%/80%');
    const mem = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } };
    assert.equal(formatHPAMetrics([mem], [{ resource: { current: { averageValue: '512Mi' } } }]), 'memory: 512Mi/1Gi');
    const pods = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { averageValue: '10' } } };
    const ext = { type: 'External', external: { target: { type: 'Value', value: '3' } } };
    const extAvg = { type: 'External', external: { target: { averageValue: '2' } } };
    const obj = { type: 'Object', object: { target: { value: '7' } } };
    assert.equal(formatHPAMetrics([pods, ext], [{ pods: { current: { averageValue: '4' } } }, { external: { current: { value: '1' } } }]), '4/10, 1/3');
    assert.equal(formatHPAMetrics([extAvg, obj, cpu], []), '<unknown>/2 (avg), <unknown>/7 + 1 more...');
    assert.equal(formatHPAMetrics([{ type: 'Bogus' }], []), '<unknown type>');
    assert.equal(formatHPAMetrics([{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: {} } }], []), 'cpu: <unknown>/<auto>');
  });

  test('HPA rows, autoscaling/v2 and autoscaling/v1', () => {
    assert.deepEqual(names(horizontalPodAutoscalerPrinter), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    const v2 = {
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: 80 } } }] },
      status: { currentReplicas: 2 },
    };
    assert.deepEqual(horizontalPodAutoscalerPrinter.cells(v2, NOW), ['web', 'Deployment/web', 'cpu: <unknown>/80%', '1', 10, 2, '<unknown>']);
    const v1 = { metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 70 }, status: { currentReplicas: 1, currentCPUUtilizationPercentage: 35 } };
    assert.deepEqual(horizontalPodAutoscalerV1Printer.cells(v1, NOW), ['web', 'Deployment/web', 'cpu: 35%/70%', '<unset>', 5, 1, '<unknown>']);
  });
});
