// The kubectl round trip both modes must pass: create from YAML, get (list, by name, -o yaml),
// replace, a stale replace that conflicts, delete.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Kubectl } from './kubectl.js';
import { demoManifests } from './manifests.js';

export async function createDemoObjects(kubectl: Kubectl, namespace: string): Promise<void> {
  const out = await kubectl.ok(['create', '-f', '-', '--validate=false'], { input: demoManifests(namespace) });
  assert.match(out, new RegExp(`namespace/${namespace} created`));
  for (const line of ['configmap/settings created', 'secret/credentials created', 'pod/web created', 'deployment.apps/web created']) {
    assert.ok(out.includes(line), `kubectl create printed ${line}:\n${out}`);
  }
}

export async function checkDemoObjects(kubectl: Kubectl, namespace: string): Promise<void> {
  const list = await kubectl.ok(['get', 'configmaps,secrets,pods,deployments', '-n', namespace, '-o', 'name']);
  for (const name of ['configmap/settings', 'secret/credentials', 'pod/web', 'deployment.apps/web']) {
    assert.ok(list.split('\n').includes(name), `${name} listed:\n${list}`);
  }
  const deployment = parse(await kubectl.ok(['get', 'deployment', 'web', '-n', namespace, '-o', 'yaml'])) as Record<string, any>;
  assert.equal(deployment.kind, 'Deployment');
  assert.equal(deployment.apiVersion, 'apps/v1');
  assert.equal(deployment.metadata.generation, 1);
  assert.match(deployment.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(deployment.metadata.resourceVersion, /^\d+$/);
  assert.equal(deployment.spec.replicas, 2);
  const pod = JSON.parse(await kubectl.ok(['get', 'pod', 'web', '-n', namespace, '-o', 'json'])) as Record<string, any>;
  assert.equal(pod.status.phase, 'Pending');
  assert.equal(pod.spec.containers[0].image, 'nginx:1.27');
  const table = await kubectl.ok(['get', 'pods', '-n', namespace]);
  assert.match(table, /^NAME\s+/);
  assert.match(table, /\nweb\s+/);
}

export async function replaceAndConflict(kubectl: Kubectl, namespace: string, dir: string): Promise<void> {
  const current = parse(await kubectl.ok(['get', 'configmap', 'settings', '-n', namespace, '-o', 'yaml'])) as Record<string, any>;
  current.data.mode = 'green';
  const file = join(dir, `settings-${namespace}.json`);
  await writeFile(file, JSON.stringify(current));
  assert.match(await kubectl.ok(['replace', '-f', file, '--validate=false']), /configmap\/settings replaced/);
  assert.equal(await kubectl.ok(['get', 'configmap', 'settings', '-n', namespace, '-o', 'jsonpath={.data.mode}']), 'green');
  // The file still carries the resourceVersion read before the first replace.
  const stale = await kubectl.run(['replace', '-f', file, '--validate=false']);
  assert.notEqual(stale.code, 0);
  assert.match(
    stale.stderr,
    /Error from server \(Conflict\): error when replacing ".*": Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again/,
  );
}

export async function deleteDemoObjects(kubectl: Kubectl, namespace: string): Promise<void> {
  for (const [kind, name] of [
    ['configmap', 'settings'],
    ['secret', 'credentials'],
    ['pod', 'web'],
    ['deployment.apps', 'web'],
  ] as const) {
    assert.match(await kubectl.ok(['delete', kind, name, '-n', namespace]), new RegExp(`${kind.replace('.', '\\.')} "${name}" deleted`));
    const gone = await kubectl.run(['get', kind, name, '-n', namespace]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /Error from server \(NotFound\): .* not found/);
  }
}
