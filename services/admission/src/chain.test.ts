import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError, newForbidden } from '@kapi/apimachinery';
import { definitions } from '@kapi/schema';
import { type AdmissionInput, type AdmissionPlugin, AdmissionChain } from './chain.js';
import { Defaulter } from './defaulter.js';
import { SchemaValidator } from './schema-validator.js';

const defs = definitions();
const validator = new SchemaValidator(defs);
const defaulter = new Defaulter(defs);

function chain(plugins: AdmissionPlugin[] = []): AdmissionChain {
  return new AdmissionChain({ validator, defaulter, plugins });
}

function podInput(object: unknown, extra: Partial<AdmissionInput> = {}): AdmissionInput {
  return {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    kind: 'Pod',
    resource: 'pods',
    subresource: '',
    namespace: 'default',
    name: 'p',
    object,
    oldObject: undefined,
    dryRun: false,
    fieldValidation: 'Strict',
    user: { username: 'alice', groups: ['system:authenticated'] },
    ...extra,
  };
}

function pod(): Record<string, any> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
}

async function status(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StatusError, `not a StatusError: ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('AdmissionChain', () => {
  it('admits a valid object unchanged', async () => {
    const out = await chain().admit(podInput(pod()));
    assert.deepEqual(out.object, pod());
    assert.equal(out.changed, false);
    assert.deepEqual(out.warnings, []);
  });

  it('reports schema field errors as 422 Invalid with causes', async () => {
    const p = pod();
    delete p.spec.containers;
    const err = await status(chain().admit(podInput(p)));
    assert.equal(err.status.code, 422);
    assert.equal(err.status.reason, 'Invalid');
    assert.equal(err.status.message, 'Pod "p" is invalid: spec.containers: Required value');
    assert.deepEqual(err.status.details, { name: 'p', kind: 'Pod', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }] });

    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ image: 'nginx' }] } } },
    };
    const e2 = await status(chain().admit({ ...podInput(d), group: 'apps', kind: 'Deployment', resource: 'deployments', name: 'web' }));
    assert.equal(e2.status.message, 'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.spec.containers[0].name: Required value]');
    assert.equal(e2.status.details?.group, 'apps');
  });

  it('rejects decode errors with 400 before any plugin runs', async () => {
    let ran = false;
    const p = pod();
    p.spec.containers[0].image = 1;
    const err = await status(chain([{ name: 'spy', mutate: () => void (ran = true) }]).admit(podInput(p)));
    assert.equal(err.status.code, 400);
    assert.equal(err.status.message, 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string');
    assert.equal(ran, false);
  });

  it('returns unknown-field warnings under Warn and for an empty fieldValidation', async () => {
    for (const fieldValidation of ['Warn', '']) {
      const p = pod();
      p.spec.extra = 1;
      const out = await chain().admit(podInput(p, { fieldValidation }));
      assert.deepEqual(out.warnings, ['unknown field "spec.extra"']);
      assert.equal(out.changed, true);
      assert.deepEqual(out.object, pod());
    }
  });

  it('rejects an unknown fieldValidation value as kube does', async () => {
    const err = await status(chain().admit(podInput(pod(), { fieldValidation: 'Loose' })));
    assert.equal(err.status.code, 422);
    assert.equal(err.status.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "Ignore", "Strict", "Warn"');
  });

  it('runs mutating plugins in order, then the schema step, then validating plugins', async () => {
    const calls: string[] = [];
    const plugins: AdmissionPlugin[] = [
      {
        name: 'first',
        mutate: (a, ctx) => {
          calls.push('mutate first');
          a.object!.metadata!.labels = { step: '1' };
          ctx.warn('first warned');
        },
        validate: (a) => {
          calls.push(`validate first sees ${a.object!.metadata!.labels!.step}`);
        },
      },
      {
        name: 'second',
        handles: (a) => a.operation === 'CREATE',
        mutate: (a) => {
          calls.push('mutate second');
          a.object!.metadata!.labels!.step = '2';
          (a.object as any).spec.pluginJunk = true; // unknown to the type: dropped silently
        },
      },
      { name: 'skipped', handles: () => false, mutate: () => void calls.push('never'), validate: () => void calls.push('never') },
    ];
    const out = await chain(plugins).admit(podInput(pod()));
    assert.deepEqual(calls, ['mutate first', 'mutate second', 'validate first sees 2']);
    assert.equal(out.changed, true);
    assert.deepEqual(out.warnings, ['first warned']);
    assert.deepEqual((out.object as any).metadata.labels, { step: '2' });
    assert.equal('pluginJunk' in (out.object as any).spec, false);
  });

  it('validates what mutating plugins produced', async () => {
    const breaker: AdmissionPlugin = { name: 'breaker', mutate: (a) => void delete (a.object as any).spec.containers[0].name };
    const err = await status(chain([breaker]).admit(podInput(pod())));
    assert.equal(err.status.message, 'Pod "p" is invalid: spec.containers[0].name: Required value');
    const typo: AdmissionPlugin = { name: 'typo', mutate: (a) => void ((a.object as any).spec.containers = 'x') };
    const e2 = await status(chain([typo]).admit(podInput(pod())));
    assert.equal(e2.status.code, 500);
    assert.match(e2.status.message!, /^Internal error occurred: admission plugins produced an undecodable object: Pod in version "v1" cannot be handled as a Pod/);
  });

  it('passes plugin StatusErrors through and turns other throws into InternalError', async () => {
    const deny: AdmissionPlugin = {
      name: 'deny',
      validate: (a) => {
        throw newForbidden({ group: '', resource: a.resource }, a.name, 'not today');
      },
    };
    const err = await status(chain([deny]).admit(podInput(pod())));
    assert.equal(err.status.code, 403);
    assert.equal(err.status.message, 'pods "p" is forbidden: not today');
    const broken: AdmissionPlugin = {
      name: 'broken',
      mutate: async () => {
        throw new Error('kaput');
      },
    };
    const e2 = await status(chain([broken]).admit(podInput(pod())));
    assert.equal(e2.status.code, 500);
    assert.equal(e2.status.message, 'Internal error occurred: admission plugin "broken" failed to mutate: kaput');
  });

  it('runs DELETE through the plugins without an object', async () => {
    const seen: unknown[] = [];
    const out = await chain([{ name: 'watch', validate: (a) => void seen.push(a.oldObject) }]).admit(
      podInput(undefined, { operation: 'DELETE', oldObject: pod() as any }),
    );
    assert.equal(out.object, undefined);
    assert.deepEqual(seen, [pod()]);
  });

  it('passes kinds without a definition through (schema step skipped)', async () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { anything: [1, 'two'] } };
    const out = await chain().admit({ ...podInput(structuredClone(widget)), group: 'example.com', kind: 'Widget', resource: 'widgets', name: 'w' });
    assert.deepEqual(out.object, widget);
    assert.equal(out.changed, false);
  });

  it('refuses a write without an object and an unknown operation', async () => {
    assert.equal((await status(chain().admit(podInput(undefined)))).status.code, 500);
    assert.equal((await status(chain().admit(podInput(pod(), { operation: 'PATCH' })))).status.code, 500);
  });
});
