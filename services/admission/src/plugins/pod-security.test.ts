import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '@kapi/apimachinery';
import { RESOURCES } from './cluster-access.js';
import { MemoryClusterAccess } from './memory-access.js';
import { evaluatePod, forbiddenDetail } from './pod-security-checks.js';
import { createPodSecurity, policyFromLabels } from './pod-security.js';
import { attrs, collectingContext, pod, podAttrs } from './test-support.js';

function nsAccess(labels: Record<string, string>): MemoryClusterAccess {
  const access = new MemoryClusterAccess();
  access.put(RESOURCES.namespaces, { metadata: { name: 'ns', labels } });
  return access;
}

test('PodSecurity enforce restricted rejects a plain pod with kube\'s message', async () => {
  const plugin = createPodSecurity(nsAccess({ 'pod-security.kubernetes.io/enforce': 'restricted' }));
  const ctx = collectingContext();
  await assert.rejects(
    Promise.resolve(plugin.validate!(podAttrs(pod('x', { containers: [{ name: 'c', image: 'nginx' }] })), ctx)),
    (err: unknown) => {
      assert.ok(isStatusError(err));
      assert.equal(err.code, 403);
      assert.equal(
        err.message,
        'pods "x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
          'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
          'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
          'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
      );
      return true;
    },
  );
  assert.equal(ctx.audit['pod-security.kubernetes.io/enforce-policy'], 'restricted:latest');
});

test('PodSecurity: a compliant restricted pod passes; baseline checks and their texts', async () => {
  const good = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  };
  assert.deepEqual(evaluatePod('restricted', {}, good), []);
  const bad = {
    hostNetwork: true,
    hostPID: true,
    securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] },
    volumes: [{ name: 'h', hostPath: { path: '/' } }],
    containers: [
      { name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort: 80 }], securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } },
      { name: 'b', image: 'x', securityContext: { privileged: true, procMount: 'Unmasked' } },
    ],
  };
  assert.equal(
    forbiddenDetail(evaluatePod('baseline', {}, bad)),
    'non-default capabilities (container "a" must not include "SYS_ADMIN" in securityContext.capabilities.add), ' +
      'host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "h"), hostPort (container "a" uses hostPort 80), ' +
      'privileged (containers "a", "b" must not set securityContext.privileged=true), ' +
      'procMount (container "b" must not set securityContext.procMount to "Unmasked"), forbidden sysctls (kernel.msgmax)',
  );
  const restricted = forbiddenDetail(evaluatePod('restricted', {}, { ...good, volumes: [{ name: 'h', hostPath: { path: '/' } }] }));
  assert.equal(restricted, 'restricted volume types (volume "h" uses restricted volume type "hostPath")');
});

test('PodSecurity warn and audit; workloads are warned about, never rejected', async () => {
  const access = nsAccess({
    'pod-security.kubernetes.io/enforce': 'baseline',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'v1.30',
    'pod-security.kubernetes.io/audit': 'restricted',
  });
  const plugin = createPodSecurity(access);
  const ctx = collectingContext();
  const spec = { containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 0 } }] };
  await plugin.validate!(podAttrs(pod('p', spec)), ctx);
  assert.deepEqual(ctx.warnings, ['would violate PodSecurity "restricted:v1.30": runAsUser=0 (container "c" must not set runAsUser=0)']);
  assert.equal(ctx.audit['pod-security.kubernetes.io/audit-violations'], 'would violate PodSecurity "restricted:latest": runAsUser=0 (container "c" must not set runAsUser=0)');

  const wctx = collectingContext();
  const deployment = { metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] } } } };
  await plugin.validate!(attrs({ group: 'apps', kind: 'Deployment', resource: 'deployments', namespace: 'ns', object: deployment }), wctx);
  assert.equal(wctx.warnings.length, 1);
  assert.match(wctx.warnings[0]!, /^would violate PodSecurity "restricted:v1.30": privileged .*, allowPrivilegeEscalation != false/);
  assert.match(wctx.warnings[0]!, /privileged \(container "c" must not set securityContext.privileged=true\)/);
});

test('PodSecurity label parsing fails closed on an invalid level', () => {
  const p = policyFromLabels({ 'pod-security.kubernetes.io/enforce': 'bogus' }, {
    enforce: { level: 'privileged', version: 'latest' },
    audit: { level: 'privileged', version: 'latest' },
    warn: { level: 'privileged', version: 'latest' },
  });
  assert.deepEqual(p.enforce, { level: 'restricted', version: 'latest' });
});
