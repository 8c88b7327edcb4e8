import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStatusError, type KubeObject } from '@kapi/apimachinery';
import type { AdmissionAttributes } from '../chain.js';
import { validatingAdmissionPolicyPlugin, type PolicySource } from './validating-policy.js';

const deployment = (replicas: number, labels: Record<string, string> = {}): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels }, spec: { replicas } }) as KubeObject;

const attrs = (object: KubeObject, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE',
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  resource: 'deployments',
  subresource: '',
  namespace: 'default',
  name: 'web',
  object,
  oldObject: undefined,
  dryRun: false,
  fieldValidation: 'Strict',
  user: { username: 'jane', groups: ['dev'] },
  ...over,
});

const policy = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name },
  spec: { matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] }, ...spec },
} as KubeObject);

const binding = (name: string, policyName: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name },
  spec: { policyName, validationActions: ['Deny'], ...spec },
} as KubeObject);

function source(policies: KubeObject[], bindings: KubeObject[], params: KubeObject[] = []): PolicySource {
  return {
    policies: () => policies,
    bindings: () => bindings,
    paramNamespaced: (k) => (k.kind === 'ConfigMap' ? true : undefined),
    params: async (_k, ns, ref) => params.filter((p) => p.metadata?.namespace === ns && (!ref.name || p.metadata?.name === ref.name)),
    namespace: async (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { env: 'prod' } } }),
  };
}

async function run(src: PolicySource, a: AdmissionAttributes): Promise<{ warnings: string[]; error?: unknown }> {
  const warnings: string[] = [];
  try {
    await validatingAdmissionPolicyPlugin(src).validate!(a, { warn: (m) => warnings.push(m) });
    return { warnings };
  } catch (error) {
    return { warnings, error };
  }
}

describe('ValidatingAdmissionPolicy', () => {
  const maxReplicas = policy('max-replicas', { validations: [{ expression: 'object.spec.replicas <= 5', message: 'replicas must be no greater than 5' }] });

  it('denies with kube’s message, reason and code', async () => {
    const { error } = await run(source([maxReplicas], [binding('b', 'max-replicas')]), attrs(deployment(6)));
    assert.ok(isStatusError(error));
    assert.equal(error.status.code, 422);
    assert.equal(error.status.reason, 'Invalid');
    assert.equal(error.status.message, `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'b' denied request: replicas must be no greater than 5`);
    assert.equal((await run(source([maxReplicas], [binding('b', 'max-replicas')]), attrs(deployment(5)))).error, undefined);
  });

  it('warns for a Warn binding and admits', async () => {
    const r = await run(source([maxReplicas], [binding('w', 'max-replicas', { validationActions: ['Warn'] })]), attrs(deployment(9)));
    assert.equal(r.error, undefined);
    assert.deepEqual(r.warnings, [`Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'w': replicas must be no greater than 5`]);
  });

  it('reads params, variables and messageExpression, and honours reason', async () => {
    const p = policy('limit', {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      variables: [{ name: 'max', expression: 'int(params.data.max)' }],
      validations: [{ expression: 'object.spec.replicas <= variables.max', messageExpression: '"at most " + string(variables.max) + " replicas"', reason: 'Forbidden' }],
    });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits', namespace: 'default' }, data: { max: '3' } } as KubeObject;
    const { error } = await run(source([p], [binding('b', 'limit', { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } })], [cm]), attrs(deployment(4)));
    assert.ok(isStatusError(error));
    assert.equal(error.status.code, 403);
    assert.match(error.status.message ?? '', /denied request: at most 3 replicas$/);
    const missing = await run(source([p], [binding('b', 'limit', { paramRef: { name: 'nope', parameterNotFoundAction: 'Deny' } })]), attrs(deployment(1)));
    assert.match((missing.error as Error).message, /no params found for policy binding with `Deny` parameterNotFoundAction/);
    assert.equal((await run(source([p], [binding('b', 'limit', { paramRef: { name: 'nope', parameterNotFoundAction: 'Allow' } })]), attrs(deployment(9)))).error, undefined);
  });

  it('skips requests its matchConditions or binding selectors exclude', async () => {
    const p = policy('labelled', { matchConditions: [{ name: 'labelled', expression: "has(object.metadata.labels) && 'team' in object.metadata.labels" }], validations: [{ expression: 'false' }] });
    assert.equal((await run(source([p], [binding('b', 'labelled')]), attrs(deployment(1)))).error, undefined);
    const denied = await run(source([p], [binding('b', 'labelled')]), attrs(deployment(1, { team: 'a' })));
    assert.match((denied.error as Error).message, /failed expression: false$/);
    const other = binding('b', 'labelled', { matchResources: { namespaceSelector: { matchLabels: { env: 'dev' } } } });
    assert.equal((await run(source([p], [other]), attrs(deployment(1, { team: 'a' })))).error, undefined);
  });

  it('follows failurePolicy on evaluation errors', async () => {
    const broken = (failurePolicy: string) => policy('broken', { failurePolicy, validations: [{ expression: 'object.spec.missing.field > 1' }] });
    const fail = await run(source([broken('Fail')], [binding('b', 'broken')]), attrs(deployment(1)));
    assert.match((fail.error as Error).message, /expression 'object.spec.missing.field > 1' resulted in error/);
    assert.equal((await run(source([broken('Ignore')], [binding('b', 'broken')]), attrs(deployment(1)))).error, undefined);
    const uncompilable = await run(source([policy('bad', { validations: [{ expression: 'nosuchfn(object)' }] })], [binding('b', 'bad')]), attrs(deployment(1)));
    assert.match((uncompilable.error as Error).message, /compilation failed/);
  });
});

describe('ValidatingAdmissionPolicy status', () => {
  it('reports expressions that do not compile, with their field paths', async () => {
    const { policyStatus } = await import('./policy-status.js');
    const p = { ...policy('p', { validations: [{ expression: 'object.spec.replicas <= 5' }, { expression: 'true', messageExpression: 'nosuch(object)' }] }), metadata: { name: 'p', generation: 2 } } as KubeObject;
    const status = policyStatus(p) as { observedGeneration: number; typeChecking: { expressionWarnings: { fieldRef: string; warning: string }[] } };
    assert.equal(status.observedGeneration, 2);
    assert.deepEqual(status.typeChecking.expressionWarnings.map((w) => w.fieldRef), ['spec.validations[1].messageExpression']);
    assert.match(status.typeChecking.expressionWarnings[0]!.warning, /nosuch/);
    assert.equal(policyStatus({ ...p, status } as KubeObject), undefined, 'nothing to write once current');
  });
});
