// Audit end to end against `kapi up`: a Policy file selects levels per request; the log backend
// writes audit.k8s.io/v1 events as JSON lines with the expected levels, stages, objects and
// users — an impersonated request records both users — and rotates by size.

import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HttpsOptions } from '../support/https.js';
import { startTestUp, type TestUp } from '../support/up.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Event = {
  kind: string;
  apiVersion: string;
  level: string;
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  impersonatedUser?: { username: string };
  objectRef?: { resource: string; namespace?: string; name?: string; apiVersion?: string };
  responseStatus?: { code: number; reason?: string };
  requestObject?: { metadata?: { name?: string } };
  responseObject?: { metadata?: { name?: string } };
  annotations?: Record<string, string>;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
};

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version"]
- level: RequestResponse
  resources: [{group: "", resources: ["configmaps"]}]
- level: Metadata
  resources: [{group: "", resources: ["secrets"]}]
- level: Request
  verbs: ["create"]
- level: Metadata
`;

describe('audit against kapi up', () => {
  let up: TestUp;
  let logPath: string;
  const call = (path: string, opts: Omit<HttpsOptions, 'ca'> = {}) => up.asAdmin(path, opts);
  const events = async (): Promise<Event[]> => {
    const text = await readFile(logPath, 'utf8').catch(() => '');
    return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Event);
  };
  /** The events of one request, once its ResponseComplete is written. */
  const eventsOf = async (auditID: string): Promise<Event[]> => {
    for (let i = 0; i < 50; i++) {
      const found = (await events()).filter((e) => e.auditID === auditID);
      if (found.some((e) => e.stage === 'ResponseComplete')) return found;
      await sleep(50);
    }
    return (await events()).filter((e) => e.auditID === auditID);
  };

  before(async () => {
    up = await startTestUp('e2e-audit', async (dir) => {
      const auditPolicyFile = join(dir, 'policy.yaml');
      await writeFile(auditPolicyFile, POLICY);
      logPath = join(dir, 'audit', 'audit.log');
      return { auth: { auditPolicyFile, auditLogPath: logPath, auditLogMaxsize: 1, auditLogMaxbackup: 2 } };
    });
  });

  after(() => up?.stop());

  it('writes RequestResponse events with both objects for configmaps', async () => {
    const res = await call('/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Audit-ID': 'create-cm-1' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audited' }, data: { a: 'b' } }),
    });
    assert.equal(res.status, 201, res.body);
    assert.equal(res.headers['audit-id'], 'create-cm-1');
    const evs = await eventsOf('create-cm-1');
    assert.deepEqual(evs.map((e) => e.stage), ['ResponseComplete'], 'RequestReceived is omitted by the policy');
    const ev = evs[0]!;
    assert.equal(ev.kind, 'Event');
    assert.equal(ev.apiVersion, 'audit.k8s.io/v1');
    assert.equal(ev.level, 'RequestResponse');
    assert.equal(ev.verb, 'create');
    assert.equal(ev.requestURI, '/api/v1/namespaces/default/configmaps');
    assert.equal(ev.user.username, 'kubernetes-admin');
    assert.deepEqual(ev.objectRef, { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' });
    assert.equal(ev.responseStatus?.code, 201);
    assert.equal(ev.requestObject?.metadata?.name, 'audited');
    assert.equal(ev.responseObject?.metadata?.name, 'audited');
    assert.equal(ev.annotations?.['authorization.k8s.io/decision'], 'allow');
    assert.match(ev.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('keeps secrets at Metadata, creates at Request, health at None', async () => {
    await call('/api/v1/namespaces/default/secrets/nope', { headers: { 'Audit-ID': 'get-secret-1' } });
    const [secret] = await eventsOf('get-secret-1');
    assert.equal(secret?.level, 'Metadata');
    assert.equal(secret?.responseStatus?.code, 404);
    assert.equal(secret?.responseStatus?.reason, 'NotFound');
    assert.equal(secret?.requestObject, undefined);
    const ns = await call('/api/v1/namespaces', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Audit-ID': 'create-ns-1' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'audited-ns' } }) });
    assert.equal(ns.status, 201);
    const [created] = await eventsOf('create-ns-1');
    assert.equal(created?.level, 'Request');
    assert.equal(created?.requestObject?.metadata?.name, 'audited-ns');
    assert.equal(created?.responseObject, undefined);
    await call('/healthz', { headers: { 'Audit-ID': 'health-1' } });
    await call('/api/v1/namespaces', { headers: { 'Audit-ID': 'list-ns-1' } });
    assert.equal((await eventsOf('list-ns-1'))[0]?.level, 'Metadata');
    assert.deepEqual(await eventsOf('health-1'), []);
  });

  it('records the authenticated and the impersonated user', async () => {
    const res = await call('/api/v1/namespaces/default/pods', { headers: { 'Impersonate-User': 'jane', 'Audit-ID': 'impersonated-1' } });
    assert.equal(res.status, 403, 'jane has no bindings');
    const [ev] = await eventsOf('impersonated-1');
    assert.equal(ev?.user.username, 'kubernetes-admin');
    assert.equal(ev?.impersonatedUser?.username, 'jane');
    assert.equal(ev?.responseStatus?.code, 403);
    assert.equal(ev?.annotations?.['authorization.k8s.io/decision'], 'forbid');
  });

  it('carries admission audit annotations (ValidatingAdmissionPolicy auditAnnotations and Audit)', async () => {
    const post = (path: string, body: unknown) => up.post(path, body);
    assert.equal(
      (await post('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'audited' },
        spec: {
          matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] },
          validations: [{ expression: "!has(object.data) || !('forbidden' in object.data)", message: 'no forbidden key' }],
          auditAnnotations: [{ key: 'keys', valueExpression: 'string(size(object.data))' }],
        },
      })).status,
      201,
    );
    assert.equal((await post('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings', { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'audited' }, spec: { policyName: 'audited', validationActions: ['Audit'] } })).status, 201);
    for (let i = 0; ; i++) {
      const id = `annotated-${i}`;
      const res = await call('/api/v1/namespaces/default/configmaps', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Audit-ID': id },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id }, data: { a: '1', forbidden: 'x' } }),
      });
      assert.equal(res.status, 201, 'Audit does not deny');
      const [ev] = await eventsOf(id);
      if (ev?.annotations?.['audited/keys']) {
        assert.equal(ev.annotations['audited/keys'], '2');
        const failures = JSON.parse(ev.annotations['validation.policy.admission.k8s.io/validation_failure'] ?? '[]');
        assert.deepEqual(failures, [{ message: 'no forbidden key', policy: 'audited', binding: 'audited', expressionIndex: 0, validationActions: ['Audit'] }]);
        break;
      }
      assert.ok(i < 30, 'the policy took effect');
      await sleep(200);
    }
  });

  it('rotates the log by size, keeping the newest backups', async () => {
    const big = 'x'.repeat(200 * 1024);
    for (let i = 0; i < 12; i++) {
      const res = await call('/api/v1/namespaces/default/configmaps', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { big } }),
      });
      assert.equal(res.status, 201);
    }
    await sleep(500);
    const files = (await readdir(join(up.dir, 'audit'))).sort();
    const backups = files.filter((f) => /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/.test(f));
    assert.ok(files.includes('audit.log'), files.join(','));
    assert.equal(backups.length, 2, files.join(','));
  });
});
