// The official Kubernetes Python client against `kapi up`: create, read, list with label and field
// selectors, patch with every patch type (JSON, merge, strategic, apply), delete and
// deletecollection. The client is Debian's python3-kubernetes (.ci/run installs it); without a
// Python that can import it the test is skipped with the reason printed.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RunningServer, startUp } from '@kapi/cli';
import { tempDir } from '../support/tmp.js';

/** Debian's python first: pyenv shims on PATH may lack the Debian package. */
function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import kubernetes'], { stdio: 'ignore', timeout: 20_000 });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const python = findPython();
if (!python) console.log('# skipping the Python client e2e: no python3 with the kubernetes package (Debian: python3-kubernetes)');

// test/dist/e2e/<this>.js -> test/e2e/python/
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'e2e', 'python', 'client_roundtrip.py');

describe('the Kubernetes Python client against kapi up', { skip: python ? false : 'no python3 with the kubernetes package' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;

  before(async () => {
    dir = await tempDir('e2e-python');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  it('creates, reads, lists with selectors, patches with every type and deletes', async () => {
    const { stdout } = await promisify(execFile)(python!, [SCRIPT, server.kubeconfigPath, 'py-e2e'], { timeout: 120_000 });
    const report = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(report.read, { k: 'a' });
    assert.deepEqual(report.list_web, ['a', 'b']);
    assert.deepEqual(report.list_field, ['c']);
    assert.deepEqual(report.missing, { status: 404, reason: 'NotFound' });
    assert.deepEqual(report.patched, { k: 'a', json: 'patch', merge: 'patch', strategic: 'patch' });
    assert.deepEqual(report.deployment, {
      containers: [
        ['web', 'nginx:1.28'],
        ['side', 'busybox'],
      ],
      replicas: 3,
      managers: ['OpenAPI-Generator', 'python-e2e'],
    });
    assert.deepEqual(report.after_delete, []);
  });
});
