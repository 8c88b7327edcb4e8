import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  endpointSlicePrinter,
  endpointsPrinter,
  formatEndpoints,
  ingressClassPrinter,
  ingressPrinter,
  ipAddressPrinter,
  networkPolicyPrinter,
  serviceCIDRPrinter,
  servicePrinter,
} from './networking.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const names = (p: { columns: readonly { name: string }[] }): string[] => p.columns.map((c) => c.name);

describe('networking printers', () => {
  test('services: TYPE, CLUSTER-IP, EXTERNAL-IP <none>/<pending>, PORT(S) "80/TCP,443:30443/TCP"', () => {
    assert.deepEqual(names(servicePrinter), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    const svc = {
      metadata: { name: 'web' },
      spec: { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }], selector: { app: 'web' } },
    };
    assert.deepEqual(servicePrinter.cells(svc, NOW), ['web', 'NodePort', '10.96.0.10', '<none>', '80/TCP,443:30443/TCP', '<unknown>', 'app=web']);
    const lb = { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', clusterIPs: ['10.0.0.3'], ports: [{ port: 53, protocol: 'UDP' }] } };
    assert.equal(servicePrinter.cells(lb, NOW)[3], '<pending>');
    const lbReady = { ...lb, status: { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'a.example.com' }, { ip: '1.2.3.4' }] } } };
    assert.equal(servicePrinter.cells(lbReady, NOW)[3], '1.2.3.4,5.6.7.8,a.example.com');
    assert.equal(servicePrinter.cells({ ...lbReady, spec: { ...lb.spec, externalIPs: ['9.9.9.9'] } }, NOW)[3], '1.2.3.4,5.6.7.8,a.example.com,9.9.9.9');
    assert.equal(servicePrinter.cells({ spec: { type: 'ClusterIP', externalIPs: ['1.1.1.1', '2.2.2.2'] } }, NOW)[3], '1.1.1.1,2.2.2.2');
    assert.deepEqual(servicePrinter.cells({ metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } }, NOW).slice(1, 5), [
      'ExternalName',
      '<none>',
      'db.example.com',
      '<none>',
    ]);
    // defaults kube applies before printing: ClusterIP, TCP, clusterIPs from clusterIP
    assert.deepEqual(servicePrinter.cells({ metadata: { name: 'd' }, spec: { clusterIP: 'None', ports: [{ port: 8080 }] } }, NOW), ['d', 'ClusterIP', 'None', '<none>', '8080/TCP', '<unknown>', '<none>']);
    assert.equal(servicePrinter.cells({ spec: { type: 'Weird' } }, NOW)[3], '<unknown>');
  });

  test('endpoints: up to three ip:port, "+ N more...", bare IPs for port-less subsets', () => {
    assert.equal(formatEndpoints({}), '<none>');
    const one = { subsets: [{ addresses: [{ ip: '10.1.0.1' }, { ip: 'fd00::1' }], ports: [{ port: 8080 }] }] };
    assert.equal(formatEndpoints(one), '10.1.0.1:8080,[fd00::1]:8080');
    const many = { subsets: [{ addresses: [{ ip: '1.1.1.1' }, { ip: '2.2.2.2' }], ports: [{ port: 80 }, { port: 443 }] }] };
    assert.equal(formatEndpoints(many), '1.1.1.1:80,2.2.2.2:80,1.1.1.1:443 + 1 more...');
    assert.equal(formatEndpoints({ subsets: [{ addresses: [{ ip: '3.3.3.3' }] }] }), '3.3.3.3');
    assert.deepEqual(endpointsPrinter.cells({ metadata: { name: 'kubernetes' }, ...one }, NOW), ['kubernetes', '10.1.0.1:8080,[fd00::1]:8080', '<unknown>']);
  });

  test('endpointslices: ADDRESSTYPE, PORTS, ENDPOINTS', () => {
    const slice = {
      metadata: { name: 'web-abc' },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80 }, { name: 'named' }, {}, { port: 9 }],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] }],
    };
    assert.deepEqual(endpointSlicePrinter.cells(slice, NOW), ['web-abc', 'IPv4', '80,named,* + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '<unknown>']);
    assert.deepEqual(endpointSlicePrinter.cells({ metadata: { name: 'e' }, addressType: 'IPv6' }, NOW).slice(2, 4), ['<unset>', '<unset>']);
  });

  test('ingresses and ingress classes', () => {
    const ing = {
      metadata: { name: 'web' },
      spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, {}, { host: 'b.example.com' }, { host: 'c.example.com' }, { host: 'd.example.com' }], tls: [{ hosts: ['a.example.com'] }] },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    };
    assert.deepEqual(ingressPrinter.cells(ing, NOW), ['web', 'nginx', 'a.example.com,b.example.com,c.example.com + 2 more...', '1.2.3.4', '80, 443', '<unknown>']);
    assert.deepEqual(ingressPrinter.cells({ metadata: { name: 'x' }, spec: { rules: [{}] } }, NOW).slice(1, 5), ['<none>', '*', '', '80']);
    assert.deepEqual(ingressClassPrinter.cells({ metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }, NOW), [
      'nginx',
      'k8s.io/ingress-nginx',
      'IngressParameters.k8s.example.com/p',
      '<unknown>',
    ]);
    assert.equal(ingressClassPrinter.cells({ spec: {} }, NOW)[2], '<none>');
  });

  test('network policies, service CIDRs, IP addresses', () => {
    assert.deepEqual(networkPolicyPrinter.cells({ metadata: { name: 'deny' }, spec: { podSelector: {} } }, NOW), ['deny', '<none>', '<unknown>']);
    assert.equal(networkPolicyPrinter.cells({ spec: { podSelector: { matchLabels: { role: 'db' } } } }, NOW)[1], 'role=db');
    assert.deepEqual(serviceCIDRPrinter.cells({ metadata: { name: 'kubernetes' }, spec: { cidrs: ['10.96.0.0/12', 'fd00::/108'] } }, NOW), ['kubernetes', '10.96.0.0/12,fd00::/108', '<unknown>']);
    assert.deepEqual(names(ipAddressPrinter), ['Name', 'ParentRef']);
    assert.deepEqual(ipAddressPrinter.cells({ metadata: { name: '10.96.0.1' }, spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'kubernetes' } } }, NOW), [
      '10.96.0.1',
      'services/default/kubernetes',
      '<unknown>',
    ]);
    assert.equal(ipAddressPrinter.cells({ spec: { parentRef: { group: 'Gateway.Networking.k8s.io', resource: 'Gateways', name: 'gw' } } }, NOW)[1], 'gateways.gateway.networking.k8s.io/gw');
  });
});
