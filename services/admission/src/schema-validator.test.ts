import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '@kapi/apimachinery';
import { type SchemaObject, definitions } from '@kapi/schema';
import { type DecodeResult, type FieldValidation, MAX_STRICT_ERRORS, SchemaValidator } from './schema-validator.js';

const validator = new SchemaValidator(definitions());

type Obj = Record<string, any>;

function decode(kind: [string, string, string], object: unknown, fieldValidation: FieldValidation = 'Strict', checkStatus = false): DecodeResult {
  const [group, version, k] = kind;
  const compiled = validator.forKind(group, version, k);
  assert.ok(compiled, `no definition for ${group}/${version}/${k}`);
  return compiled.decode(object, { fieldValidation, kind: k, version, checkStatus });
}

function rejects(kind: [string, string, string], object: unknown, message: string, fieldValidation: FieldValidation = 'Strict'): void {
  assert.throws(
    () => decode(kind, object, fieldValidation),
    (err: unknown) => {
      assert.ok(err instanceof StatusError, `not a StatusError: ${String(err)}`);
      assert.equal(err.status.code, 400);
      assert.equal(err.status.reason, 'BadRequest');
      assert.equal(err.status.message, message);
      return true;
    },
  );
}

const DEPLOYMENT: [string, string, string] = ['apps', 'v1', 'Deployment'];
const POD: [string, string, string] = ['', 'v1', 'Pod'];
const SERVICE: [string, string, string] = ['', 'v1', 'Service'];
const SECRET: [string, string, string] = ['', 'v1', 'Secret'];
const CONFIGMAP: [string, string, string] = ['', 'v1', 'ConfigMap'];

function deployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80 }],
              env: [{ name: 'MODE', value: 'prod' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
            },
          ],
        },
      },
    },
  };
}

function pod(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], ports: [{ containerPort: 8080 }] }] },
  };
}

const DEPLOYMENT_PREFIX = 'Deployment in version "v1" cannot be handled as a Deployment: ';
const POD_PREFIX = 'Pod in version "v1" cannot be handled as a Pod: ';

describe('schema validator: accepted objects', () => {
  it('decodes a valid Deployment without changing it', () => {
    const obj = deployment();
    const expected = structuredClone(obj);
    const r = decode(DEPLOYMENT, obj);
    assert.deepEqual(r.object, expected);
    assert.equal(r.changed, false);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.fieldErrors, []);
  });

  it('compiles and walks every built-in kind', () => {
    let kinds = 0;
    for (const [name, def] of Object.entries(definitions())) {
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        if (validator.definitionFor(gvk.group, gvk.version, gvk.kind) !== name) continue;
        const apiVersion = gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
        const r = decode([gvk.group, gvk.version, gvk.kind], { apiVersion, kind: gvk.kind, metadata: { name: 'x' } }, 'Ignore');
        assert.ok(r.fieldErrors.every((e) => e.type === 'FieldValueRequired'), name);
        kinds++;
      }
    }
    assert.ok(kinds > 150, `only ${kinds} kinds`);
  });

  it('compiles each definition once', () => {
    assert.equal(validator.forKind('apps', 'v1', 'Deployment'), validator.forKind('apps', 'v1', 'Deployment'));
    assert.equal(validator.definitionFor('apps', 'v1', 'Deployment'), 'io.k8s.api.apps.v1.Deployment');
    assert.equal(validator.forKind('example.com', 'v1', 'Widget'), undefined);
  });
});

describe('schema validator: type errors (400, Go decoder texts)', () => {
  it('reports a string where an int32 goes', () => {
    const obj = deployment();
    obj.spec.replicas = '3';
    rejects(DEPLOYMENT, obj, DEPLOYMENT_PREFIX + 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  });

  it('names the innermost struct and the field path without list indices', () => {
    const obj = deployment();
    obj.spec.template.spec.containers[0].env[0].value = 8080;
    rejects(
      DEPLOYMENT,
      obj,
      DEPLOYMENT_PREFIX + 'json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string',
    );
    const p = pod();
    p.spec.containers[0].ports[0].containerPort = '80';
    rejects(POD, p, POD_PREFIX + 'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32');
  });

  it('prints Go type names of slices, structs and maps', () => {
    const p = pod();
    p.spec.containers[0].command = 'sleep 3600';
    rejects(POD, p, POD_PREFIX + 'json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string');
    const q = pod();
    q.spec.containers = { name: 'c' };
    rejects(POD, q, POD_PREFIX + 'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container');
    const r = pod();
    r.spec = [];
    rejects(POD, r, POD_PREFIX + 'json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec');
    const s = pod();
    s.spec.containers[0] = 'c';
    rejects(POD, s, POD_PREFIX + 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container');
    const t = pod();
    t.spec.nodeSelector = 'linux';
    rejects(POD, t, POD_PREFIX + 'json: cannot unmarshal string into Go struct field PodSpec.spec.nodeSelector of type map[string]string');
    const u = pod();
    u.spec.containers[0].resources = { limits: '1' };
    rejects(POD, u, POD_PREFIX + 'json: cannot unmarshal string into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList');
  });

  it('uses the named Go types kube declares for common fields', () => {
    const p = pod();
    p.spec.containers[0].imagePullPolicy = 1;
    rejects(POD, p, POD_PREFIX + 'json: cannot unmarshal number into Go struct field Container.spec.containers.imagePullPolicy of type v1.PullPolicy');
    const q = pod();
    q.spec.containers[0].securityContext = { capabilities: { add: [1] } };
    rejects(
      POD,
      q,
      POD_PREFIX + 'json: cannot unmarshal number into Go struct field Capabilities.spec.containers.securityContext.capabilities.add of type v1.Capability',
    );
  });

  it('checks map values against the value type, without the key in the path', () => {
    const p = pod();
    p.metadata.labels = { app: 'web', replicas: 3 };
    rejects(POD, p, POD_PREFIX + 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  });

  it('reports non-integral and out-of-range numbers with their value', () => {
    const p = pod();
    p.spec.containers[0].ports[0].containerPort = 1.5;
    rejects(POD, p, POD_PREFIX + 'json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32');
    const q = pod();
    q.spec.activeDeadlineSeconds = 1e20;
    rejects(POD, q, POD_PREFIX + 'json: cannot unmarshal number 100000000000000000000 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64');
    const r = pod();
    r.spec.containers[0].ports[0].containerPort = 2147483648;
    rejects(POD, r, POD_PREFIX + 'json: cannot unmarshal number 2147483648 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32');
  });

  it('names the root type when the object itself has the wrong type', () => {
    rejects(POD, [], POD_PREFIX + 'json: cannot unmarshal array into Go value of type v1.Pod');
  });

  it('reports the first type error in document order', () => {
    const p = pod();
    p.spec.containers[0].image = 5;
    p.spec.restartPolicy = 7;
    rejects(POD, p, POD_PREFIX + 'json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string');
  });

  it('lets a custom unmarshaller error win over an earlier type error (Go returns it at once)', () => {
    const p = pod();
    p.spec.containers[0].image = 5;
    p.spec.containers[0].resources = { limits: { cpu: 'lots' } };
    rejects(POD, p, POD_PREFIX + "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  it('prefers a type error over strict unknown-field errors', () => {
    const p = pod();
    p.spec.bogus = true;
    p.spec.hostNetwork = 'yes';
    rejects(POD, p, POD_PREFIX + 'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool');
  });

  it('reports bad base64 in []byte fields with the byte offset', () => {
    rejects(
      SECRET,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { ok: 'aGVsbG8=', bad: 'hello!' } },
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 5',
    );
    rejects(
      SECRET,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'abc' } },
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0',
    );
    rejects(
      SECRET,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 5 } },
      'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field Secret.data of type []uint8',
    );
  });

  it('uses the "unrecognized" form when the body names no kind', () => {
    const compiled = validator.forKind('', 'v1', 'Pod')!;
    const body = new TextEncoder().encode('{"spec":{"containers":"x"},"metadata":{"name":"p"}}');
    assert.throws(
      () => compiled.decode(JSON.parse(new TextDecoder().decode(body)), { fieldValidation: 'Strict', kind: '', version: '', body }),
      {
        message:
          'the object provided is unrecognized (must be of type Pod): json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container ({"spec":{"containers":"x"},"me ...)',
      },
    );
  });
});

describe('schema validator: int-or-string, quantities, times', () => {
  it('accepts ints and strings for IntOrString and rejects the rest at once', () => {
    const ok = decode(DEPLOYMENT, deployment());
    assert.equal((ok.object as Obj).spec.strategy.rollingUpdate.maxSurge, '25%');
    assert.equal((ok.object as Obj).spec.strategy.rollingUpdate.maxUnavailable, 1);
    const obj = deployment();
    obj.spec.strategy.rollingUpdate.maxSurge = 1.5;
    rejects(
      DEPLOYMENT,
      obj,
      DEPLOYMENT_PREFIX + 'json: cannot unmarshal number 1.5 into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32',
    );
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: true }] } };
    rejects(SERVICE, svc, 'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32');
    const svc2 = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: { x: 1 } }] } };
    rejects(SERVICE, svc2, 'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal object into Go struct field ServicePort.spec.ports.targetPort of type int32');
  });

  it('stores quantities in canonical form, keeping canonical spellings', () => {
    const p = pod();
    p.spec.containers[0].resources = {
      requests: { cpu: 0.5, memory: '1024Mi', 'example.com/gpu': 1 },
      limits: { cpu: '1.5', memory: '+1Gi', 'ephemeral-storage': ' 2000000 ' },
    };
    const r = decode(POD, p);
    assert.equal(r.changed, true);
    assert.deepEqual((r.object as Obj).spec.containers[0].resources, {
      requests: { cpu: '500m', memory: '1Gi', 'example.com/gpu': '1' },
      limits: { cpu: '1500m', memory: '+1Gi', 'ephemeral-storage': '2M' },
    });
  });

  it('rejects malformed quantities with the resource package texts', () => {
    const p = pod();
    p.spec.containers[0].resources = { limits: { memory: '5ki' } };
    rejects(POD, p, POD_PREFIX + "unable to parse quantity's suffix");
    const q = pod();
    q.spec.containers[0].resources = { limits: { memory: true } };
    rejects(POD, q, POD_PREFIX + "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  it('parses times as time.Parse(RFC3339) does and stores them in UTC', () => {
    const p = pod();
    p.metadata.creationTimestamp = '2024-03-01T01:30:00.25+02:00';
    assert.equal((decode(POD, p).object as Obj).metadata.creationTimestamp, '2024-02-29T23:30:00Z');
    const q = pod();
    q.metadata.creationTimestamp = '2024-01-01';
    rejects(POD, q, POD_PREFIX + 'parsing time "2024-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"');
    const r = pod();
    r.metadata.creationTimestamp = '2023-02-29T00:00:00Z';
    rejects(POD, r, POD_PREFIX + 'parsing time "2023-02-29T00:00:00Z": day out of range');
    const s = pod();
    s.metadata.creationTimestamp = 12;
    rejects(POD, s, POD_PREFIX + 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string');
  });

  it('parses MicroTime with its six fraction digits', () => {
    const LEASE: [string, string, string] = ['coordination.k8s.io', 'v1', 'Lease'];
    const lease = (renewTime: unknown) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { renewTime } });
    assert.equal((decode(LEASE, lease('2024-05-06T07:08:09.123456Z')).object as Obj).spec.renewTime, '2024-05-06T07:08:09.123456Z');
    rejects(
      LEASE,
      lease('2024-05-06T07:08:09Z'),
      'Lease in version "v1" cannot be handled as a Lease: parsing time "2024-05-06T07:08:09Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"',
    );
  });
});

describe('schema validator: unknown fields', () => {
  function withUnknown(): Obj {
    const obj = deployment();
    obj.spec.foo = 1;
    obj.spec.template.spec.containers[0].bar = { deep: true };
    obj.metadata.extra = 'x';
    obj.top = 1;
    return obj;
  }

  it('Strict: 400 listing every unknown field, with list indices', () => {
    rejects(
      DEPLOYMENT,
      withUnknown(),
      DEPLOYMENT_PREFIX +
        'strict decoding error: unknown field "metadata.extra", unknown field "spec.template.spec.containers[0].bar", unknown field "spec.foo", unknown field "top"',
    );
  });

  it('Warn: one warning per field, fields dropped', () => {
    const r = decode(DEPLOYMENT, withUnknown(), 'Warn');
    assert.deepEqual(r.warnings, [
      'unknown field "metadata.extra"',
      'unknown field "spec.template.spec.containers[0].bar"',
      'unknown field "spec.foo"',
      'unknown field "top"',
    ]);
    assert.deepEqual(r.object, deployment());
    assert.equal(r.changed, true);
  });

  it('Ignore: dropped silently', () => {
    const r = decode(DEPLOYMENT, withUnknown(), 'Ignore');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.object, deployment());
  });

  it('quotes paths as Go does and keeps at most 100, deduplicated', () => {
    const cm: Obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
    for (let i = 0; i < 150; i++) cm[`x${i}`] = i;
    cm['a"b'] = 1;
    const r = decode(CONFIGMAP, cm, 'Warn');
    assert.equal(r.warnings.length, MAX_STRICT_ERRORS);
    assert.equal(r.warnings[0], 'unknown field "x0"');
    const q: Obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, 'a"b': 1 };
    assert.deepEqual(decode(CONFIGMAP, q, 'Warn').warnings, ['unknown field "a\\"b"']);
    const p = pod();
    p.spec.containers.push({ name: 'd', image: 'x', zz: 1 }, { name: 'e', image: 'y', zz: 2 });
    assert.deepEqual(decode(POD, p, 'Warn').warnings, ['unknown field "spec.containers[1].zz"', 'unknown field "spec.containers[2].zz"']);
  });

  it('keeps the contents of free-form fields (RawExtension, JSON)', () => {
    const CRD: [string, string, string] = ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'];
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', kind: 'Widget' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', default: { any: ['thing', 1] }, 'x-kubernetes-preserve-unknown-fields': true } } } },
          },
        ],
      },
    };
    const r = decode(CRD, structuredClone(crd));
    assert.deepEqual(r.object, crd);
    assert.deepEqual(r.warnings, []);
  });
});

describe('schema validator: nulls', () => {
  it('drops optional fields set to null and zeroes required ones', () => {
    const p = pod();
    p.spec.nodeSelector = null;
    p.metadata.labels = null;
    p.spec.containers[0].ports[0].containerPort = null;
    const r = decode(POD, p);
    const o = r.object as Obj;
    assert.equal('nodeSelector' in o.spec, false);
    assert.equal('labels' in o.metadata, false);
    assert.equal(o.spec.containers[0].ports[0].containerPort, 0);
    assert.deepEqual(r.fieldErrors, []);
  });

  it('gives list elements and map values their zero value', () => {
    const p = pod();
    p.spec.containers[0].args = ['a', null];
    p.metadata.annotations = { a: null };
    const o = decode(POD, p).object as Obj;
    assert.deepEqual(o.spec.containers[0].args, ['a', '']);
    assert.deepEqual(o.metadata.annotations, { a: '' });
  });
});

describe('schema validator: required and enum', () => {
  it('collects Required value errors in document order', () => {
    const obj = deployment();
    delete obj.spec.selector;
    delete obj.spec.template.spec.containers[0].name;
    obj.spec.template.spec.containers[0].env.push({ value: 'x' });
    const r = decode(DEPLOYMENT, obj);
    assert.deepEqual(
      r.fieldErrors.map((e) => e.errorString()),
      ['spec.selector: Required value', 'spec.template.spec.containers[0].name: Required value', 'spec.template.spec.containers[0].env[1].name: Required value'],
    );
    assert.deepEqual(
      r.fieldErrors.map((e) => e.toStatusCause()),
      [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' },
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].name' },
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].env[1].name' },
      ],
    );
  });

  it('leaves ObjectMeta and the main resource status to others', () => {
    const p = pod();
    p.metadata.ownerReferences = [{ name: 'x' }];
    assert.deepEqual(decode(POD, p).fieldErrors, []);
    const HPA: [string, string, string] = ['autoscaling', 'v2', 'HorizontalPodAutoscaler'];
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 },
      status: {},
    };
    assert.deepEqual(decode(HPA, structuredClone(hpa)).fieldErrors, []);
    assert.deepEqual(
      decode(HPA, structuredClone(hpa), 'Strict', true).fieldErrors.map((e) => e.errorString()),
      ['status.desiredReplicas: Required value'],
    );
  });

  it('enforces declared enums with Unsupported value', () => {
    const defs: Record<string, SchemaObject> = {
      'io.example.v1.Widget': {
        type: 'object',
        required: ['spec'],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          spec: {
            type: 'object',
            properties: {
              mode: { type: 'string', enum: ['Fast', 'Slow'] },
              level: { type: 'integer', format: 'int32', enum: [1, 2] },
              labels: { type: 'object', additionalProperties: { type: 'string', enum: ['x'] } },
            },
          },
        },
        'x-kubernetes-group-version-kind': [{ group: 'example.io', version: 'v1', kind: 'Widget' }],
      },
    };
    const v = new SchemaValidator(defs);
    const w = v.forKind('example.io', 'v1', 'Widget')!;
    const r = w.decode(
      { apiVersion: 'example.io/v1', kind: 'Widget', spec: { mode: 'Medium', level: 3, labels: { a: 'x', b: 'y' } } },
      { fieldValidation: 'Strict', kind: 'Widget', version: 'v1' },
    );
    assert.deepEqual(
      r.fieldErrors.map((e) => e.errorString()),
      [
        'spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"',
        'spec.level: Unsupported value: 3: supported values: "1", "2"',
        'spec.labels[b]: Unsupported value: "y": supported values: "x"',
      ],
    );
    const missing = w.decode({ apiVersion: 'example.io/v1', kind: 'Widget' }, { fieldValidation: 'Strict', kind: 'Widget', version: 'v1' });
    assert.deepEqual(missing.fieldErrors.map((e) => e.errorString()), ['spec: Required value']);
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields', () => {
    const defs: Record<string, SchemaObject> = {
      'io.example.v1.Box': {
        type: 'object',
        properties: {
          open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { size: { type: 'integer', format: 'int32' } } },
          closed: { type: 'object', properties: { size: { type: 'integer', format: 'int32' } } },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
        'x-kubernetes-group-version-kind': [{ group: 'example.io', version: 'v1', kind: 'Box' }],
      },
    };
    const box = new SchemaValidator(defs).forKind('example.io', 'v1', 'Box')!;
    const r = box.decode(
      { open: { size: 1, extra: [1] }, closed: { size: 2, extra: true }, free: { anything: { at: 'all' } } },
      { fieldValidation: 'Warn', kind: 'Box', version: 'v1' },
    );
    assert.deepEqual(r.object, { open: { size: 1, extra: [1] }, closed: { size: 2 }, free: { anything: { at: 'all' } } });
    assert.deepEqual(r.warnings, ['unknown field "closed.extra"']);
    assert.throws(
      () => box.decode({ open: { size: 'big' } }, { fieldValidation: 'Warn', kind: 'Box', version: 'v1' }),
      { message: 'Box in version "v1" cannot be handled as a Box: json: cannot unmarshal string into Go struct field Box.open.size of type int32' },
    );
  });
});
