// `npm run bench` / `kapi bench`: creates and reads 1 KiB ConfigMaps through the gateway with
// `concurrency` clients against `kapi cluster` (etcd, separate processes) and `kapi up` (SQLite,
// one process), admission rows (Pod creates with no webhooks, with two webhooks, with five
// ValidatingAdmissionPolicies, and with two admission replicas), and in the same run raw etcd
// puts and gets with the etcd3 client at the same concurrency as the baseline. Every phase is
// bounded in time and operations.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, startEtcd } from '@kapi/testing';
import { Etcd3 } from 'etcd3';
import { startCluster } from '../cluster.js';
import { KubeClient } from './kube-client.js';
import { type LoadResult, runLoad } from './load.js';
import { type FanoutResult, formatFanout, kapiFanout, natsFanout } from './fanout.js';
import { admissionRows, podCreates } from './admission.js';

export interface BenchOptions {
  durationMs: number;
  concurrency: number;
  maxOps?: number;
}

interface Row {
  target: string;
  op: string;
  result: LoadResult;
  baseline?: LoadResult;
}

const PAYLOAD = 'x'.repeat(1024);
const FANOUT_WATCHERS = [100, 1000];
const FANOUT_RATE = 20;
const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function rawEtcd(opts: BenchOptions, maxOps: number): Promise<{ put: LoadResult; get: LoadResult }> {
  const etcd = await startEtcd({ members: 1 });
  const client = new Etcd3({ hosts: etcd.endpoints });
  try {
    const value = Buffer.from(PAYLOAD);
    const load = { concurrency: opts.concurrency, durationMs: opts.durationMs, maxOps };
    await runLoad({ ...load, durationMs: Math.min(2_000, opts.durationMs), maxOps: 2_000 }, async (i) => {
      await client.put(`/registry/bench/warmup-${i}`).value(value);
    });
    const put = await runLoad(load, async (i) => {
      await client.put(`/registry/bench/raw-${i}`).value(value);
    });
    const written = Math.max(1, put.ops);
    const get = await runLoad(load, async (i) => {
      const got = await client.get(`/registry/bench/raw-${i % written}`).buffer();
      if (!got) throw new Error('missing key');
    });
    return { put, get };
  } finally {
    client.close();
    await etcd.stop();
  }
}

async function kapiLoad(kubeconfig: string, opts: BenchOptions, maxOps: number): Promise<{ create: LoadResult; get: LoadResult }> {
  const client = new KubeClient(kubeconfig, opts.concurrency);
  try {
    const base = '/api/v1/namespaces/default/configmaps';
    const load = { concurrency: opts.concurrency, durationMs: opts.durationMs, maxOps };
    // Warm-up (not measured): connections, worker threads and caches come up here.
    await runLoad({ concurrency: opts.concurrency, durationMs: Math.min(2_000, opts.durationMs), maxOps: 2_000 }, async (i) => {
      await client.expectOk('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `warmup-${i}` }, data: { payload: PAYLOAD } });
    });
    const create = await runLoad(load, async (i) => {
      await client.expectOk('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `bench-${i}` }, data: { payload: PAYLOAD } });
    });
    const created = Math.max(1, create.ops);
    const get = await runLoad(load, async (i) => {
      await client.expectOk('GET', `${base}/bench-${i % created}`);
    });
    return { create, get };
  } finally {
    client.close();
  }
}

/** `kapi up` in its own process, so the load generator does not share its event loop. */
async function startUpProcess(dataDir: string, port: number, extraArgs: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, 'up', '--data-dir', dataDir, '--secure-port', String(port), ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('kapi up did not start in 60 s')), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('kapi is serving')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`kapi up exited with ${code}`)));
  });
  return child;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function formatTable(rows: Row[]): string {
  const header = ['target', 'operation', 'ops', 'errors', 'ops/s', 'p50 ms', 'p99 ms', 'ops/s vs raw etcd'];
  const lines = rows.map((r) => [
    r.target,
    r.op,
    String(r.result.ops),
    String(r.result.errors),
    r.result.opsPerSecond.toFixed(0),
    r.result.p50Ms.toFixed(2),
    r.result.p99Ms.toFixed(2),
    r.baseline ? (r.result.opsPerSecond / r.baseline.opsPerSecond).toFixed(2) : '1.00 (baseline)',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

export async function runBench(opts: BenchOptions): Promise<void> {
  const maxOps = opts.maxOps ?? 100_000;
  const rows: Row[] = [];
  const errors: string[] = [];
  const fanoutRows: { target: string; result: FanoutResult }[] = [];
  // Fan-out: W watchers while writes run at a fixed rate, and raw NATS at the same W and rate.
  const fanout = (watchers: number) => ({ watchers, rate: FANOUT_RATE, durationMs: Math.min(opts.durationMs, 5_000) });

  log(`raw etcd: ${opts.concurrency} in flight, ${opts.durationMs} ms per phase`);
  const raw = await rawEtcd(opts, maxOps);
  rows.push({ target: 'raw etcd (etcd3 client)', op: 'put 1 KiB', result: raw.put });
  rows.push({ target: 'raw etcd (etcd3 client)', op: 'get', result: raw.get });

  const clusterDir = await mkdtemp(join(tmpdir(), 'kapi-bench-cluster-'));
  try {
    log('kapi cluster (1 replica per service, 1 etcd member)');
    const cluster = await startCluster({ dataDir: clusterDir, securePort: await freePort(), replicas: 1, etcdMembers: 1 });
    try {
      const result = await kapiLoad(cluster.description.kubeconfig, opts, maxOps);
      rows.push({ target: 'kapi cluster (etcd)', op: 'create ConfigMap', result: result.create, baseline: raw.put });
      rows.push({ target: 'kapi cluster (etcd)', op: 'get ConfigMap', result: result.get, baseline: raw.get });
      for (const watchers of FANOUT_WATCHERS) {
        log(`kapi cluster: watch fan-out to ${watchers} watchers at ${FANOUT_RATE} writes/s`);
        fanoutRows.push({ target: 'kapi cluster watch', result: await kapiFanout(cluster.description.kubeconfig, fanout(watchers)) });
      }
    } finally {
      await cluster.stop();
    }
  } catch (err) {
    errors.push(`kapi cluster: ${(err as Error).message}`);
  } finally {
    await rm(clusterDir, { recursive: true, force: true });
  }

  for (const watchers of FANOUT_WATCHERS) {
    try {
      log(`raw NATS: pub/sub fan-out to ${watchers} subscribers at ${FANOUT_RATE} msgs/s`);
      fanoutRows.push({ target: 'raw NATS pub/sub', result: await natsFanout(fanout(watchers)) });
    } catch (err) {
      errors.push(`raw NATS fan-out: ${(err as Error).message}`);
    }
  }

  const upDir = await mkdtemp(join(tmpdir(), 'kapi-bench-up-'));
  try {
    log('kapi up (all-in-one, SQLite)');
    const up = await startUpProcess(upDir, await freePort());
    try {
      const kubeconfig = join(upDir, 'admin.kubeconfig');
      const result = await kapiLoad(kubeconfig, opts, maxOps);
      rows.push({ target: 'kapi up (sqlite)', op: 'create ConfigMap', result: result.create, baseline: raw.put });
      rows.push({ target: 'kapi up (sqlite)', op: 'get ConfigMap', result: result.get, baseline: raw.get });
      log('kapi up: admission rows (Pod creates)');
      const client = new KubeClient(kubeconfig, opts.concurrency);
      try {
        const tls = { cert: await readFile(join(upDir, 'pki', 'apiserver.crt'), 'utf8'), key: await readFile(join(upDir, 'pki', 'apiserver.key'), 'utf8'), ca: await readFile(join(upDir, 'pki', 'ca.crt'), 'utf8') };
        const admission = await admissionRows(client, tls, { concurrency: opts.concurrency, durationMs: opts.durationMs, maxOps });
        rows.push({ target: 'kapi up, 1 admission replica', op: 'create Pod, no webhooks', result: admission.plain, baseline: raw.put });
        rows.push({ target: 'kapi up, 1 admission replica', op: 'create Pod, 1+1 webhooks', result: admission.webhooks, baseline: raw.put });
        rows.push({ target: 'kapi up, 1 admission replica', op: 'create Pod, 5 policies', result: admission.policies, baseline: raw.put });
      } finally {
        client.close();
      }
    } finally {
      await stopProcess(up);
    }
  } catch (err) {
    errors.push(`kapi up: ${(err as Error).message}`);
  } finally {
    await rm(upDir, { recursive: true, force: true });
  }

  const twoDir = await mkdtemp(join(tmpdir(), 'kapi-bench-up2-'));
  try {
    log('kapi up with 2 admission replicas: Pod creates');
    const up = await startUpProcess(twoDir, await freePort(), ['--admission-replicas', '2']);
    const client = new KubeClient(join(twoDir, 'admin.kubeconfig'), opts.concurrency);
    try {
      const result = await podCreates(client, 'two', { concurrency: opts.concurrency, durationMs: opts.durationMs, maxOps });
      rows.push({ target: 'kapi up, 2 admission replicas', op: 'create Pod, no webhooks', result, baseline: raw.put });
    } finally {
      client.close();
      await stopProcess(up);
    }
  } catch (err) {
    errors.push(`kapi up (2 admission replicas): ${(err as Error).message}`);
  } finally {
    await rm(twoDir, { recursive: true, force: true });
  }

  process.stdout.write(`\nkapi bench: ${opts.concurrency} clients in flight, ${opts.durationMs / 1000} s per row, at most ${maxOps} ops per row\n\n`);
  process.stdout.write(formatTable(rows) + '\n');
  if (fanoutRows.length > 0) {
    process.stdout.write(`\nwatch fan-out: ${FANOUT_RATE} creates/s of 1 KiB ConfigMaps (raw NATS: 1 KiB messages), latency from write acknowledgement to delivery\n\n`);
    process.stdout.write(formatFanout(fanoutRows) + '\n');
    for (const r of fanoutRows) if (r.result.delivered !== r.result.expected) errors.push(`${r.target} with ${r.result.watchers} watchers: delivered ${r.result.delivered} of ${r.result.expected}`);
  }
  for (const row of rows) if (row.result.firstError) process.stdout.write(`  ${row.target} ${row.op}: first error: ${row.result.firstError}\n`);
  for (const error of errors) process.stdout.write(`  failed: ${error}\n`);
  if (errors.length > 0) process.exitCode = 1;
}
