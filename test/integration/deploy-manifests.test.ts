// deploy/base renders with kustomize and runs every kapi service with flags `kapi run` knows.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { SERVICES } from '@kapi/cli';
import { parseAllDocuments } from 'yaml';
import { findKubectl } from '../support/kubectl.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const kubectl = findKubectl();
const run = promisify(execFile);

describe('deploy/base', { skip: kubectl ? false : 'no kubectl on PATH (it renders kustomize)' }, () => {
  it('renders and deploys every service in HA', async () => {
    const { stdout } = await run(kubectl!, ['kustomize', join(root, 'deploy', 'base')]);
    const objects = parseAllDocuments(stdout).map((d) => d.toJSON() as Record<string, any>);
    const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
    const roles = new Map<string, number>();
    for (const workload of workloads) {
      assert.equal(workload.metadata.namespace, 'kapi-system');
      for (const container of workload.spec.template.spec.containers) {
        if (container.image !== 'kapi:dev') continue;
        assert.equal(container.args[0], 'run');
        assert.ok((SERVICES as readonly string[]).includes(container.args[1]), `unknown service ${container.args[1]}`);
        roles.set(container.args[1], workload.spec.replicas);
      }
    }
    assert.deepEqual([...roles.keys()].sort(), [...SERVICES].sort());
    for (const [role, replicas] of roles) assert.ok(replicas >= 2, `${role} runs ${replicas} replica(s)`);
    const etcd = workloads.find((w) => w.metadata.name === 'etcd');
    assert.equal(etcd?.spec.replicas, 3);
  });

  it('passes only flags that `kapi run` accepts', async () => {
    const { stdout } = await run(kubectl!, ['kustomize', join(root, 'deploy', 'base')]);
    const main = join(root, 'services', 'cli', 'dist', 'main.js');
    for (const doc of parseAllDocuments(stdout)) {
      const o = doc.toJSON() as Record<string, any>;
      if (o.kind !== 'Deployment') continue;
      for (const container of o.spec.template.spec.containers) {
        if (container.image !== 'kapi:dev') continue;
        const flags = (container.args as string[]).slice(2).map((a) => a.split('=')[0]!);
        const { stdout: help } = await run(process.execPath, [main, 'run', '--help']);
        for (const flag of flags) assert.ok(help.includes(flag), `${o.metadata.name}: kapi run has no ${flag}`);
      }
    }
  });
});
