// A real kubectl against the gateway (fake storage behind it): discovery, get printing, create
// from a file, label (a patch), server-side apply, delete and error printing. Skipped when
// kubectl is not installed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startHarness, type Harness } from './testing/harness.js';

const run = promisify(execFile);
const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const available = existsSync(KUBECTL);

let h: Harness;
let dir: string;

before(async () => {
  if (!available) return;
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'kapi-gateway-kubectl-'));
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  await writeFile(
    join(dir, 'config'),
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: kapi',
      '  cluster:',
      `    server: https://127.0.0.1:${h.port}`,
      `    certificate-authority-data: ${b64(h.ca.cert)}`,
      'users:',
      '- name: admin',
      '  user:',
      `    client-certificate-data: ${b64(h.admin.cert)}`,
      `    client-key-data: ${b64(h.admin.key)}`,
      'contexts:',
      '- name: kapi',
      '  context: {cluster: kapi, user: admin, namespace: default}',
      'current-context: kapi',
      '',
    ].join('\n'),
  );
});

after(async () => {
  if (!available) return;
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs kubectl (asynchronously: the gateway lives in this process) and returns its output. */
async function kubectl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(KUBECTL, ['--kubeconfig', join(dir, 'config'), '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: err.stdout ?? '', err: err.stderr ?? '' };
  }
}

test('kubectl: version and discovery', { skip: !available && 'kubectl not installed' }, async () => {
  const version = await kubectl('version', '-o', 'json');
  assert.equal(JSON.parse(version.out).serverVersion.gitVersion, 'v1.36.0');
  const resources = await kubectl('api-resources', '--no-headers');
  assert.equal(resources.code, 0, resources.err);
  const lines = resources.out.split('\n');
  assert.ok(lines.some((l) => /^pods\s+po\s+v1\s+true\s+Pod$/.test(l)), 'pods');
  assert.ok(lines.some((l) => /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/.test(l)), 'deployments');
  assert.ok(lines.some((l) => /^namespaces\s+ns\s+v1\s+false\s+Namespace$/.test(l)), 'namespaces');
});

test('kubectl: create, get (table), label, apply, delete, errors', { skip: !available && 'kubectl not installed' }, async () => {
  const empty = await kubectl('get', 'configmaps');
  assert.equal(empty.err.trim(), 'No resources found in default namespace.');

  await writeFile(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\ndata:\n  a: b\n');
  const created = await kubectl('create', '--validate=false', '-f', join(dir, 'cm.yaml'));
  assert.equal(created.out.trim(), 'configmap/first created', created.err);

  const table = await kubectl('get', 'configmaps');
  assert.match(table.out, /^NAME\s+DATA\s+AGE\nfirst\s+1\s+\d+s\n$/);

  const yaml = await kubectl('get', 'cm', 'first', '-o', 'yaml');
  assert.match(yaml.out, /^apiVersion: v1\ndata:\n {2}a: b\nkind: ConfigMap\nmetadata:\n/);

  const labeled = await kubectl('label', 'cm', 'first', 'tier=web');
  assert.equal(labeled.out.trim(), 'configmap/first labeled', labeled.err);
  const patchCall = h.storage.lastCall('patch')!.request;
  assert.equal(patchCall.patchType, 'application/merge-patch+json');

  await writeFile(join(dir, 'cm2.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\ndata:\n  a: b\n');
  const applied = await kubectl('apply', '--validate=false', '--server-side', '-f', join(dir, 'cm2.yaml'));
  assert.equal(applied.out.trim(), 'configmap/second serverside-applied', applied.err);
  assert.equal(h.storage.lastCall('patch')!.request.patchType, 'application/apply-patch+yaml');

  const missing = await kubectl('get', 'cm', 'missing');
  assert.equal(missing.code, 1);
  assert.equal(missing.err.trim(), 'Error from server (NotFound): configmaps "missing" not found');

  const deleted = await kubectl('delete', 'cm', 'first');
  assert.equal(deleted.out.trim(), 'configmap "first" deleted', deleted.err);

  const raw = await kubectl('get', '--raw', '/readyz?verbose');
  assert.match(raw.out, /readyz check passed/);
});
