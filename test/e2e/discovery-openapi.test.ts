// kubectl against `kapi up` through aggregated discovery and OpenAPI: api-resources and
// api-versions from apidiscovery.k8s.io/v2 (no per-group-version fallback), explain from OpenAPI
// v3 (and v2 protobuf), create/apply without --validate=false (kubectl finds fieldValidation in
// the v3 document and lets the server validate), and kube's strict decoding error text.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { builtinCatalogue } from '@kapi/schema';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
if (!binary) console.log('# skipping discovery/OpenAPI e2e against kapi up: no kubectl on PATH');

/** Rows of a kubectl table, split at the header's column starts. */
function parseTable(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!;
  const columns = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], start: m.index! }));
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    columns.forEach((c, i) => {
      row[c.name] = line.slice(c.start, i + 1 < columns.length ? columns[i + 1]!.start : undefined).trim();
    });
    return row;
  });
}

interface ExpectedResource {
  NAME: string;
  SHORTNAMES: string;
  APIVERSION: string;
  NAMESPACED: string;
  KIND: string;
  VERBS: string;
  CATEGORIES: string;
  group: string;
}

/** What kube-apiserver's discovery makes `kubectl api-resources -o wide` print for the catalogue:
 * every group in discovery order, its preferred version only, resources with a get or list verb
 * ... as kubectl filters nothing by verb by default, all of them in discovery order. */
function expectedResources(): ExpectedResource[] {
  const catalogue = builtinCatalogue();
  const out: ExpectedResource[] = [];
  for (const g of catalogue.groups()) {
    const v = g.preferredVersion;
    const resources = catalogue.resourcesOf(g.name, v).sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
    for (const r of resources) {
      out.push({
        NAME: r.resource,
        SHORTNAMES: r.shortNames.join(','),
        APIVERSION: g.name === '' ? v : `${g.name}/${v}`,
        NAMESPACED: String(r.namespaced),
        KIND: r.kind,
        VERBS: r.verbs.join(','),
        CATEGORIES: r.categories.join(','),
        group: g.name,
      });
    }
  }
  return out;
}

describe('kubectl discovery and OpenAPI against kapi up', { skip: binary ? false : 'no kubectl on PATH' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  let kubectl: Kubectl;
  let cacheDir: string;

  before(async () => {
    dir = await tempDir('e2e-discovery');
    cacheDir = join(dir.path, 'kube-cache');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    kubectl = new Kubectl(binary!, server.kubeconfigPath);
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('api-resources comes from aggregated discovery v2 in two requests, without fallback', async () => {
    const result = await kubectl.run(['api-resources', '-v=8', `--cache-dir=${cacheDir}/a`]);
    assert.equal(result.code, 0, result.stderr);
    const gets = [...result.stderr.matchAll(/GET https:\/\/[^/]+(\/[^? ]*)/g)].map((m) => m[1]);
    assert.deepEqual(gets, ['/api', '/apis']);
    assert.match(result.stderr, /Accept: application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/);
    assert.match(result.stderr, /Content-Type: application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/);
    assert.doesNotMatch(result.stderr, /falling back|legacy discovery/i);
  });

  it('api-resources (-o wide, --api-group, --namespaced=false) prints the catalogue', async () => {
    const expected = expectedResources();
    const wide = parseTable(await kubectl.ok(['api-resources', '-o', 'wide', `--cache-dir=${cacheDir}/b`]));
    assert.deepEqual(
      wide.map((r) => [r.NAME, r.SHORTNAMES, r.APIVERSION, r.NAMESPACED, r.KIND, r.VERBS, r.CATEGORIES].join(' ')).sort(),
      expected.map((r) => [r.NAME, r.SHORTNAMES, r.APIVERSION, r.NAMESPACED, r.KIND, r.VERBS, r.CATEGORIES].join(' ')).sort(),
    );
    // discovery order: the core group first, then /apis in priority order
    assert.equal(wide[0]!.APIVERSION, 'v1');

    const apps = parseTable(await kubectl.ok(['api-resources', '--api-group=apps', `--cache-dir=${cacheDir}/b`]));
    assert.deepEqual(
      apps.map((r) => `${r.NAME} ${r.SHORTNAMES} ${r.APIVERSION} ${r.NAMESPACED} ${r.KIND}`),
      expected.filter((r) => r.group === 'apps').map((r) => `${r.NAME} ${r.SHORTNAMES} ${r.APIVERSION} ${r.NAMESPACED} ${r.KIND}`),
    );
    assert.ok(apps.some((r) => r.NAME === 'deployments' && r.SHORTNAMES === 'deploy' && r.KIND === 'Deployment'));

    const cluster = parseTable(await kubectl.ok(['api-resources', '--namespaced=false', `--cache-dir=${cacheDir}/b`]));
    assert.deepEqual(cluster.map((r) => `${r.APIVERSION} ${r.NAME}`).sort(), expected.filter((r) => r.NAMESPACED === 'false').map((r) => `${r.APIVERSION} ${r.NAME}`).sort());
    assert.ok(cluster.some((r) => r.NAME === 'namespaces' && r.SHORTNAMES === 'ns'));
  });

  it('api-versions lists every served group/version', async () => {
    const out = (await kubectl.ok(['api-versions', `--cache-dir=${cacheDir}/c`])).trim().split('\n');
    const expected = builtinCatalogue()
      .groups()
      .flatMap((g) => g.versions.map((v) => (g.name === '' ? v : `${g.name}/${v}`)))
      .sort();
    assert.deepEqual(out, expected);
  });

  it('get --raw /api/v1 is the legacy APIResourceList', async () => {
    const doc = JSON.parse(await kubectl.ok(['get', '--raw', '/api/v1'])) as { kind: string; groupVersion: string; resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[] };
    assert.equal(doc.kind, 'APIResourceList');
    assert.equal(doc.groupVersion, 'v1');
    const pods = doc.resources.find((r) => r.name === 'pods')!;
    assert.equal(pods.kind, 'Pod');
    assert.equal(pods.namespaced, true);
    assert.ok(doc.resources.some((r) => r.name === 'pods/status'));
  });

  it('explain works from OpenAPI v3 (and v2)', async () => {
    const containers = await kubectl.ok(['explain', 'pods.spec.containers', `--cache-dir=${cacheDir}/d`]);
    assert.match(containers, /KIND:\s+Pod/);
    assert.match(containers, /FIELD: containers <\[\]Container>/);
    assert.match(containers, /\n {2}image\t<string>/);
    assert.match(containers, /\n {2}name\t<string> -required-/);

    const strategy = await kubectl.ok(['explain', 'deployment.spec.strategy', '--recursive', `--cache-dir=${cacheDir}/d`]);
    assert.match(strategy, /GROUP:\s+apps/);
    assert.match(strategy, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(strategy, /rollingUpdate\t<RollingUpdateDeployment>\n {4}maxSurge\t/);
    assert.match(strategy, /\n {2}type\t<string>/);

    const v2 = await kubectl.ok(['explain', '--output=plaintext-openapiv2', 'deployment.spec.strategy', `--cache-dir=${cacheDir}/d`]);
    assert.match(v2, /RESOURCE: strategy <Object>/);
    assert.match(v2, /rollingUpdate\t<Object>/);
  });

  it('create and apply succeed without --validate=false; unknown fields get the server strict error', async () => {
    const manifest = [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: oapi\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: oapi\ndata:\n  mode: green\n',
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        '  namespace: oapi',
        'spec:',
        '  replicas: 1',
        '  selector:',
        '    matchLabels: {app: web}',
        '  template:',
        '    metadata:',
        '      labels: {app: web}',
        '    spec:',
        '      containers:',
        '      - name: web',
        '        image: nginx',
        '',
      ].join('\n'),
    ].join('---\n');
    const file = join(dir.path, 'objects.yaml');
    await writeFile(file, manifest);
    const created = await kubectl.run(['create', '-f', file, '-v=6', `--cache-dir=${cacheDir}/e`]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /namespace\/oapi created\nconfigmap\/settings created\ndeployment.apps\/web created/);
    // kubectl found fieldValidation in /openapi/v3 and left validation to the server
    assert.match(created.stderr, /GET https:\/\/[^ ]+\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}/);
    assert.match(created.stderr, /POST https:\/\/[^ ]+\/apis\/apps\/v1\/namespaces\/oapi\/deployments\?fieldManager=kubectl-create&fieldValidation=Strict 201/);

    const applyFile = join(dir.path, 'apply.yaml');
    await writeFile(applyFile, manifest.replaceAll('oapi', 'oapi2').replace('name: settings', 'name: applied'));
    const applied = await kubectl.run(['apply', '-f', applyFile, `--cache-dir=${cacheDir}/e`]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /namespace\/oapi2 created\nconfigmap\/applied created\ndeployment.apps\/web created/);
    const again = await kubectl.run(['apply', '-f', applyFile, `--cache-dir=${cacheDir}/e`]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /namespace\/oapi2 unchanged\nconfigmap\/applied unchanged\ndeployment.apps\/web unchanged/);

    const bad = join(dir.path, 'bad.yaml');
    await writeFile(bad, manifest.split('---\n')[2]!.replace('name: web', 'name: bad').replace('  replicas: 1\n', '  replicas: 1\n  foo: 1\n'));
    for (const verb of ['create', 'apply']) {
      const result = await kubectl.run([verb, '-f', bad, `--cache-dir=${cacheDir}/e`]);
      assert.notEqual(result.code, 0);
      assert.equal(
        result.stderr.trim(),
        `Error from server (BadRequest): error when creating "${bad}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`,
      );
    }
  });
});
