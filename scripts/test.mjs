#!/usr/bin/env node
// Runs the whole suite with node's test runner: unit tests next to the code (compiled to
// <package>/dist/**/*.test.js) and the cross-service tests in test/ (test/dist/**/*.test.js).
// `npm test -- <substring>...` runs only the files whose path contains one of the substrings.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (entry.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const packageDirs = ['shared', 'services'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(root, group, name, 'dist')),
);
const filters = process.argv.slice(2);
const files = [...packageDirs, join(root, 'test', 'dist')]
  .flatMap(testFiles)
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  process.stderr.write(`test: no test files match ${filters.join(' ')}\n`);
  process.exit(1);
}

const concurrency = process.env.KAPI_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
