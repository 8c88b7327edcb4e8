import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '@kapi/apimachinery';
import { admit, attributesFor, input } from './test-support.js';
import { podStrategy } from './pod.js';
import { computePodQOS } from './qos.js';
import { imageTag } from './image-name.js';

function pod(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u', resourceVersion: '1' },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
    status: { phase: 'Pending' },
  } as KubeObject;
}

function errorsOf(object: KubeObject, old?: KubeObject): string[] {
  const attributes = attributesFor('', 'Pod', object, old);
  podStrategy.default!(object, attributes);
  if (old) podStrategy.default!(old, attributes);
  return podStrategy.validate!(attributes).map((e) => e.errorString());
}

describe('pod defaults', () => {
  it('fills in SetDefaults_Pod/_PodSpec/_Container and the create status', () => {
    const p = pod();
    assert.equal(podStrategy.default!(p, attributesFor('', 'Pod', p)), true);
    const spec = p.spec as Record<string, any>;
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.enableServiceLinks, true);
    assert.equal(spec.priority, 0);
    assert.equal(spec.preemptionPolicy, 'PreemptLowerPriority');
    assert.deepEqual(spec.containers[0], {
      name: 'c',
      image: 'nginx',
      imagePullPolicy: 'Always',
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
    // Idempotent.
    assert.equal(podStrategy.default!(p, attributesFor('', 'Pod', p)), false);
  });

  it('pull policy follows the tag (defaults_test TestSetDefaultsContainer... cases)', () => {
    assert.equal(imageTag('nginx'), 'latest');
    assert.equal(imageTag('nginx:latest'), 'latest');
    assert.equal(imageTag('nginx:1.25'), '1.25');
    assert.equal(imageTag('registry.k8s.io:5000/pause:3.10'), '3.10');
    assert.equal(imageTag('busybox@sha256:' + 'a'.repeat(64)), '');
    assert.equal(imageTag('Invalid/Upper'), '');
    const p = pod({ containers: [{ name: 'a', image: 'nginx:1.25' }, { name: 'b', image: 'x@sha256:' + 'b'.repeat(64) }, { name: 'd', image: 'y', imagePullPolicy: 'Never' }] });
    podStrategy.default!(p, attributesFor('', 'Pod', p));
    assert.deepEqual((p.spec as any).containers.map((c: any) => c.imagePullPolicy), ['IfNotPresent', 'IfNotPresent', 'Never']);
  });

  it('requests default to limits for pods, ports to TCP, probes and volumes get theirs', () => {
    const p = pod({
      containers: [{
        name: 'c', image: 'nginx', ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } },
        livenessProbe: { httpGet: { port: 80 } },
      }],
      volumes: [{ name: 'v' }, { name: 's', secret: { secretName: 'x' } }],
    });
    podStrategy.default!(p, attributesFor('', 'Pod', p));
    const c = (p.spec as any).containers[0];
    assert.deepEqual(c.resources.requests, { cpu: '500m', memory: '1Gi' });
    assert.equal(c.ports[0].protocol, 'TCP');
    assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual((p.spec as any).volumes, [{ name: 'v', emptyDir: {} }, { name: 's', secret: { secretName: 'x', defaultMode: 420 } }]);
    assert.equal((p.status as any).qosClass, 'Burstable');
  });

  it('pod-level limits default the pod-level requests no container makes', () => {
    const p = pod({ resources: { limits: { cpu: '2', memory: '1Gi' } }, containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1' } } }] });
    podStrategy.default!(p, attributesFor('', 'Pod', p));
    assert.deepEqual((p.spec as any).resources, { limits: { cpu: '2', memory: '1Gi' }, requests: { memory: '1Gi' } });
  });

  it('host network pods get host ports', () => {
    const p = pod({ hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] });
    podStrategy.default!(p, attributesFor('', 'Pod', p));
    assert.equal((p.spec as any).containers[0].ports[0].hostPort, 8080);
  });
});

describe('pod QoS (qos_test.go)', () => {
  const withResources = (...rs: unknown[]) => ({ spec: { containers: rs.map((r) => ({ resources: r })) } });
  it('classifies', () => {
    assert.equal(computePodQOS(withResources({})), 'BestEffort');
    assert.equal(computePodQOS(withResources({ requests: { cpu: '0' } })), 'BestEffort');
    assert.equal(computePodQOS(withResources({ requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '100m', memory: '1Gi' } })), 'Guaranteed');
    assert.equal(computePodQOS(withResources({ requests: { cpu: '0.1' }, limits: { cpu: '100m', memory: '1Gi' } }, {})), 'Burstable');
    assert.equal(computePodQOS(withResources({ requests: { cpu: '100m' }, limits: { cpu: '200m', memory: '1Gi' } })), 'Burstable');
    assert.equal(computePodQOS(withResources({ requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } })), 'BestEffort');
    assert.equal(computePodQOS(withResources({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1024Mi' } })), 'Guaranteed');
  });
});

describe('pod validation', () => {
  it('accepts a defaulted minimal pod', () => {
    assert.deepEqual(errorsOf(pod()), []);
  });

  it('requires containers, names and images', () => {
    assert.deepEqual(errorsOf(pod({ containers: [] })), ['spec.containers: Required value']);
    assert.deepEqual(errorsOf(pod({ containers: [{ name: '', image: '' }] })), [
      'spec.containers[0].name: Required value',
      'spec.containers[0].image: Required value',
    ]);
  });

  it('checks names are DNS labels and unique', () => {
    assert.deepEqual(errorsOf(pod({ containers: [{ name: 'A_b', image: 'x' }, { name: 'A_b', image: 'y' }] })), [
      `spec.containers[0].name: Invalid value: "A_b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      `spec.containers[1].name: Invalid value: "A_b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      'spec.containers[1].name: Duplicate value: "A_b"',
    ]);
  });

  it('checks ports, protocols and restart policy', () => {
    const errs = errorsOf(pod({
      restartPolicy: 'Sometimes',
      containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000, name: 'Http', protocol: 'ICMP' }, { containerPort: 0 }] }],
    }));
    assert.deepEqual(errs, [
      'spec.containers[0].ports[0].name: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[1].containerPort: Required value',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it('checks resources: requests within limits, valid names, non-negative', () => {
    assert.deepEqual(errorsOf(pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' }, requests: { cpu: '2', foo: '1', memory: '-1' } } }] })), [
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      'spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource for containers',
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
    assert.deepEqual(errorsOf(pod({ containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '1' } } }] })), [
      'spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources',
    ]);
  });

  it('checks volumes, mounts and env', () => {
    const errs = errorsOf(pod({
      volumes: [{ name: 'v', configMap: {} }, { name: 'w', emptyDir: {} }, { name: 'w', emptyDir: {} }],
      containers: [{
        name: 'c', image: 'x',
        volumeMounts: [{ name: 'nope', mountPath: '/a' }, { name: 'w', mountPath: '/a' }],
        env: [{ name: 'A=B' }, { name: 'X', valueFrom: {} }],
      }],
    }));
    assert.deepEqual(errs, [
      'spec.volumes[0].configMap.name: Required value',
      'spec.volumes[2].name: Duplicate value: "w"',
      `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
      'spec.containers[0].env[1].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
    ]);
  });

  it('checks the pod security context', () => {
    assert.deepEqual(errorsOf(pod({ securityContext: { runAsUser: -1, supplementalGroups: [1, 4294967296], seccompProfile: { type: 'Strict' } } })), [
      'spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.supplementalGroups[1]: Invalid value: 4294967296: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.seccompProfile.type: Unsupported value: "Strict": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
    ]);
  });

  it('forbids ephemeral containers on create', () => {
    assert.deepEqual(errorsOf(pod({ ephemeralContainers: [{ name: 'e', image: 'x' }] })), ['spec.ephemeralContainers: Cannot be set on create'.replace('Cannot', 'Forbidden: cannot')]);
  });

  it('allows image changes on update, refuses others with kube\'s message', () => {
    const old = pod({ containers: [{ name: 'c', image: 'nginx:1' }] });
    assert.deepEqual(errorsOf(pod({ containers: [{ name: 'c', image: 'nginx:2' }] }), old), []);
    const errs = errorsOf(pod({ containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] }), pod());
    assert.equal(errs.length, 1);
    assert.ok(
      errs[0]!.startsWith(
        'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
      ),
      errs[0],
    );
    assert.deepEqual(errorsOf(pod({ containers: [{ name: 'c', image: 'x' }, { name: 'd', image: 'y' }] }), pod()), [
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    ]);
    assert.deepEqual(errorsOf(pod({ activeDeadlineSeconds: 10 }), pod({ activeDeadlineSeconds: 5 })), [
      'spec.activeDeadlineSeconds: Invalid value: 10: must be less than or equal to previous value',
    ]);
  });

  it('never throws on odd input', () => {
    for (const spec of [null, 1, 'x', [], { containers: 'x' }, { containers: [null, 1, { ports: 'x', env: [null], resources: 3 }] }, { volumes: [1, { name: 2 }] }]) {
      const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec } as unknown as KubeObject;
      errorsOf(p);
      errorsOf(structuredClone(p), structuredClone(p));
    }
  });

  it('reads as kubectl prints it through the chain', async () => {
    const out = await admit(input('pods', '', 'v1', 'Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c' }] } }));
    assert.equal(out.message, 'Pod "p" is invalid: spec.containers[0].image: Required value');
    assert.equal(out.error?.status.details?.causes?.length, 1);
  });
});
