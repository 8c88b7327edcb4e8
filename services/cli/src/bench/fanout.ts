// The fan-out rows of `kapi bench`: W watchers on one resource (through the gateway) while
// ConfigMaps are created at a fixed rate; reports events delivered / expected (must be exactly
// 1.0: every watcher gets every write once) and the latency from each write's acknowledgement
// (the POST's response) to each delivery. The baseline, in the same run: raw NATS pub/sub with W
// subscribers, the same message rate and 1 KiB payloads, latency from publish to delivery.

import { Agent, request } from 'node:https';
import { connect, type NatsConnection } from 'nats';
import { startNats } from '@kapi/testing';
import { KubeClient } from './kube-client.js';

export interface FanoutOptions {
  watchers: number;
  /** Writes per second. */
  rate: number;
  durationMs: number;
}

export interface FanoutResult {
  watchers: number;
  writes: number;
  delivered: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
}

const PAYLOAD = 'x'.repeat(1024);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Writes at `rate` for `durationMs`; `onAck(id, time)` after each acknowledgement. */
async function writeAtRate(opts: FanoutOptions, write: (i: number) => Promise<void>): Promise<number> {
  const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const interval = 1000 / opts.rate;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(write(i));
  }
  await Promise.all(inflight);
  return total;
}

/** W watchers through the gateway of `kubeconfig`. */
export async function kapiFanout(kubeconfig: string, opts: FanoutOptions): Promise<FanoutResult> {
  const client = new KubeClient(kubeconfig, 16);
  const namespace = `fanout-${opts.watchers}-${Date.now() % 100000}`;
  await client.expectOk('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const base = `/api/v1/namespaces/${namespace}/configmaps`;
  const list = JSON.parse(await client.expectOk('GET', base)) as { metadata: { resourceVersion: string } };
  // One connection per watcher, as W separate informers would have.
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity, ...agentTLS(client) });
  const deliveredAt: number[][] = [];
  let delivered = 0;
  const streams: { destroy(): void }[] = [];
  const opened: Promise<void>[] = [];
  for (let w = 0; w < opts.watchers; w++) {
    const times: number[] = [];
    deliveredAt.push(times);
    opened.push(
      new Promise<void>((resolve, reject) => {
        const req = request(
          {
            agent,
            host: client.server.hostname,
            port: client.server.port,
            path: `${base}?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=600`,
            headers: { accept: 'application/json' },
          },
          (res) => {
            if (res.statusCode !== 200) return reject(new Error(`watch: HTTP ${res.statusCode}`));
            let buffer = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              buffer += chunk;
              for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
                const line = buffer.slice(0, nl);
                buffer = buffer.slice(nl + 1);
                const m = /"name":"fan-(\d+)"/.exec(line);
                if (m && line.startsWith('{"type":"ADDED"')) {
                  times[Number(m[1])] = performance.now();
                  delivered++;
                }
              }
            });
            resolve();
          },
        );
        req.on('error', reject);
        streams.push(req);
        req.end();
      }),
    );
  }
  await Promise.all(opened);
  const ackAt: number[] = [];
  try {
    const writes = await writeAtRate(opts, async (i) => {
      await client.expectOk('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `fan-${i}` }, data: { payload: PAYLOAD } });
      ackAt[i] = performance.now();
    });
    const expected = writes * opts.watchers;
    const deadline = performance.now() + 30_000;
    while (delivered < expected && performance.now() < deadline) await sleep(50);
    const latencies: number[] = [];
    for (const times of deliveredAt) {
      for (let i = 0; i < writes; i++) if (times[i] !== undefined && ackAt[i] !== undefined) latencies.push(Math.max(0, times[i]! - ackAt[i]!));
    }
    latencies.sort((a, b) => a - b);
    return { watchers: opts.watchers, writes, delivered, expected, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  } finally {
    for (const s of streams) s.destroy();
    agent.destroy();
    await client.send('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
    client.close();
  }
}

function agentTLS(client: KubeClient): { ca: Buffer; cert: Buffer; key: Buffer } {
  return client.tls;
}

/** The baseline: raw NATS pub/sub with the same W and rate. */
export async function natsFanout(opts: FanoutOptions): Promise<FanoutResult> {
  const server = await startNats();
  const connections: NatsConnection[] = [];
  try {
    const connectionCount = Math.min(10, opts.watchers);
    for (let i = 0; i < connectionCount; i++) connections.push(await connect({ servers: server.url }));
    const publisher = await connect({ servers: server.url });
    connections.push(publisher);
    const deliveredAt: number[][] = [];
    let delivered = 0;
    for (let w = 0; w < opts.watchers; w++) {
      const times: number[] = [];
      deliveredAt.push(times);
      connections[w % connectionCount]!.subscribe('bench.fanout', {
        callback: (_err, msg) => {
          times[new DataView(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength).getUint32(0)] = performance.now();
          delivered++;
        },
      });
    }
    for (const c of connections) await c.flush();
    const sentAt: number[] = [];
    const payload = Buffer.alloc(1024);
    const writes = await writeAtRate(opts, async (i) => {
      payload.writeUInt32BE(i, 0);
      sentAt[i] = performance.now();
      publisher.publish('bench.fanout', payload);
    });
    await publisher.flush();
    const expected = writes * opts.watchers;
    const deadline = performance.now() + 30_000;
    while (delivered < expected && performance.now() < deadline) await sleep(20);
    const latencies: number[] = [];
    for (const times of deliveredAt) for (let i = 0; i < writes; i++) if (times[i] !== undefined) latencies.push(Math.max(0, times[i]! - sentAt[i]!));
    latencies.sort((a, b) => a - b);
    return { watchers: opts.watchers, writes, delivered, expected, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  } finally {
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
    await server.stop();
  }
}

export function formatFanout(rows: { target: string; result: FanoutResult }[]): string {
  const header = ['target', 'watchers', 'writes', 'delivered/expected', 'p50 ms', 'p99 ms'];
  const lines = rows.map((r) => [
    r.target,
    String(r.result.watchers),
    String(r.result.writes),
    `${(r.result.delivered / r.result.expected).toFixed(4)} (${r.result.delivered}/${r.result.expected})`,
    r.result.p50Ms.toFixed(2),
    r.result.p99Ms.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}
