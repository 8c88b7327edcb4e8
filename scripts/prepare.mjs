#!/usr/bin/env node
// Makes a checkout runnable: installs npm packages when they are missing or older than the
// lockfile, then builds every workspace (tsc -b, incremental). `npm start`, `npm test` and
// `npm run bench` run this first, so they work on a fresh clone.

import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`prepare: ${command} ${args.join(' ')} failed (${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}

const installed = join(root, 'node_modules', '.package-lock.json');
const lockfile = join(root, 'package-lock.json');
if (!existsSync(installed)) {
  process.stderr.write('prepare: installing npm packages (npm ci)...\n');
  run(npm, ['ci', '--no-audit', '--no-fund']);
} else if (existsSync(lockfile) && statSync(lockfile).mtimeMs > statSync(installed).mtimeMs) {
  process.stderr.write('prepare: package-lock.json changed, updating npm packages...\n');
  run(npm, ['install', '--no-audit', '--no-fund']);
}

run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.json']);
