import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import type { AdmissionAttributes } from '../chain.js';
import { serviceStrategy } from './service.js';

function attributes(object: KubeObject, oldObject?: KubeObject): AdmissionAttributes {
  return {
    operation: oldObject ? 'UPDATE' : 'CREATE',
    group: '',
    version: 'v1',
    kind: 'Service',
    resource: 'services',
    subresource: '',
    namespace: 'default',
    name: object.metadata?.name ?? '',
    object,
    oldObject,
    dryRun: false,
    fieldValidation: 'Strict',
    user: undefined,
  };
}

/** A service as storage hands it to admission: defaulted, cluster IP allocated. */
function svc(spec: Record<string, unknown>): KubeObject {
  const object: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec };
  serviceStrategy.default!(object, attributes(object));
  return object;
}

function errors(object: KubeObject, old?: KubeObject): string[] {
  return serviceStrategy.validate!(attributes(object, old)).map((e) => e.errorString());
}

const allocated = { clusterIP: '10.0.0.12', clusterIPs: ['10.0.0.12'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' };

describe('SetDefaults_Service', () => {
  it('fills type, affinity, protocol, targetPort and traffic policies', () => {
    const object: KubeObject = { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] } };
    assert.equal(serviceStrategy.default!(object, attributes(object)), true);
    assert.deepEqual(object.spec, {
      ports: [
        { port: 80, protocol: 'TCP', targetPort: 80 },
        { port: 53, protocol: 'UDP', targetPort: 'dns' },
      ],
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
    });
    assert.equal(serviceStrategy.default!(object, attributes(object)), false);
  });

  it('defaults externalTrafficPolicy, allocateLoadBalancerNodePorts and ClientIP affinity', () => {
    const lb = svc({ type: 'LoadBalancer', ports: [{ port: 80 }], sessionAffinity: 'ClientIP' });
    const spec = lb.spec as Record<string, unknown>;
    assert.equal(spec.externalTrafficPolicy, 'Cluster');
    assert.equal(spec.allocateLoadBalancerNodePorts, true);
    assert.deepEqual(spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    const ext = svc({ type: 'ExternalName', externalName: 'example.com' });
    assert.equal((ext.spec as Record<string, unknown>).internalTrafficPolicy, undefined);
    assert.equal((ext.spec as Record<string, unknown>).externalTrafficPolicy, undefined);
  });
});

describe('ValidateService', () => {
  it('accepts a defaulted, allocated service', () => {
    assert.deepEqual(errors(svc({ ...allocated, ports: [{ port: 80 }], selector: { app: 'a' } })), []);
  });

  it('requires ports unless headless or ExternalName', () => {
    assert.deepEqual(errors(svc({ ...allocated })), ['spec.ports: Required value']);
    assert.deepEqual(errors(svc({ clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' })), []);
    assert.deepEqual(errors(svc({ type: 'ExternalName', externalName: 'example.com' })), []);
    assert.deepEqual(errors(svc({ type: 'ExternalName' })), ['spec.externalName: Required value']);
  });

  it('reports port numbers, names, protocols and duplicates with kube texts', () => {
    const got = errors(
      svc({
        ...allocated,
        ports: [
          { port: 0, name: 'a' },
          { port: 80, name: 'A_b', protocol: 'ICMP' },
          { port: 81 },
          { port: 82, name: 'a', targetPort: 'no_way' },
          { port: 80, name: 'c', protocol: 'ICMP' },
        ],
      }),
    );
    assert.deepEqual(got, [
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      "spec.ports[1].name: Invalid value: \"A_b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'spec.ports[2].name: Required value',
      'spec.ports[3].name: Duplicate value: "a"',
      'spec.ports[3].targetPort: Invalid value: "no_way": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ports[4].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'spec.ports[4]: Duplicate value: {"Name":"","Protocol":"ICMP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}',
    ]);
  });

  it('checks types, nodePorts on ClusterIP and the cluster IP fields', () => {
    assert.deepEqual(errors(svc({ ...allocated, type: 'Bogus', ports: [{ port: 80 }] })), [
      'spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
    assert.deepEqual(errors(svc({ ...allocated, ports: [{ port: 80, nodePort: 30000 }] })), [
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]);
    assert.deepEqual(errors(svc({ ...allocated, clusterIPs: ['10.0.0.13'], ports: [{ port: 80 }] })), [
      'spec.clusterIPs: Invalid value: ["10.0.0.13"]: first value must match `clusterIP`',
    ]);
    assert.deepEqual(errors(svc({ ...allocated, clusterIP: 'x', clusterIPs: ['x'], ports: [{ port: 80 }] })), [
      'spec.clusterIPs[0]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    assert.deepEqual(errors(svc({ ...allocated, clusterIP: 'None', clusterIPs: ['None'], type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] })), [
      "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
    ]);
    assert.deepEqual(errors(svc({ ...allocated, type: 'ExternalName', externalName: 'example.com' })), [
      'spec.clusterIPs: Forbidden: may not be set for ExternalName services',
      'spec.ipFamilies: Forbidden: may not be set for ExternalName services',
      'spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services',
    ]);
  });

  it('checks session affinity, traffic policies and load balancer fields', () => {
    assert.deepEqual(
      errors(svc({ ...allocated, ports: [{ port: 80 }], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } })),
      ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400'],
    );
    assert.deepEqual(errors(svc({ ...allocated, ports: [{ port: 80 }], externalTrafficPolicy: 'Local' })), [
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ]);
    assert.deepEqual(errors(svc({ ...allocated, ports: [{ port: 80 }], allocateLoadBalancerNodePorts: true })), [
      "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'",
    ]);
    assert.deepEqual(errors(svc({ ...allocated, type: 'LoadBalancer', ports: [{ port: 10250, nodePort: 30000 }], externalTrafficPolicy: 'Local' })), [
      'spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is used by kubelet',
      'spec.healthCheckNodePort: Required value',
    ]);
  });
});

describe('ValidateServiceUpdate', () => {
  it('refuses a changed cluster IP as immutable', () => {
    const old = svc({ ...allocated, ports: [{ port: 80 }] });
    const next = svc({ ...allocated, clusterIP: '10.0.0.99', clusterIPs: ['10.0.0.99'], ports: [{ port: 80 }] });
    assert.deepEqual(errors(next, old), ['spec.clusterIPs[0]: Invalid value: ["10.0.0.99"]: field is immutable']);
    assert.deepEqual(errors(svc({ ...allocated, ports: [{ port: 8080 }] }), old), []);
  });

  it('allows the move to ExternalName, whose cluster IP storage released', () => {
    const old = svc({ ...allocated, ports: [{ port: 80 }] });
    assert.deepEqual(errors(svc({ type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] }), old), []);
  });
});
