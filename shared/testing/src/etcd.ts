// Starts real etcd members on free loopback ports, for tests and for `kapi cluster`.
//
// Contract: startEtcd() resolves only once every member answers /health with "true", so the
// cluster has a leader and serves linearizable requests. Each member logs to
// <dataDir>/<name>.log (appended across restarts) instead of the terminal. stop() ends every
// member it started and removes the data directory when startEtcd created it. This module must
// stay usable outside node:test (the cli imports it), so it imports nothing from the test runner.

import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePorts } from './ports.js';

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  /** Process id of the running process; 0 while the member is killed. */
  pid: number;
  dataDir: string;
  logFile: string;
}

export interface EtcdCluster {
  /** Client URLs of all members (http://127.0.0.1:port), in member order. */
  endpoints: string[];
  members: EtcdMember[];
  /** Sends `signal` (default SIGKILL) to member `memberIndex` and waits until it has exited.
   * SIGSTOP and SIGCONT only pause and resume the member (a hung member), without waiting. */
  kill(memberIndex: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a killed member again on the same ports and data dir; waits until it is healthy. */
  restart(memberIndex: number): Promise<void>;
  /** Stops every member (SIGTERM, then SIGKILL after a grace period) and removes temp dirs. */
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  members?: 1 | 3;
  /** Parent directory for the members' data dirs; a temp dir (removed by stop) when omitted. */
  dataDir?: string;
  /** etcd's --experimental-watch-progress-notify-interval (etcd's default is 10 minutes). */
  progressNotifyIntervalMs?: number;
  /** How long to wait for the cluster to become healthy (default 30 s). */
  startTimeoutMs?: number;
  /** The etcd executable (default: `etcd` from PATH). */
  binary?: string;
}

/** True when an `etcd` executable is on PATH. */
export function etcdAvailable(): boolean {
  return findOnPath('etcd') !== undefined;
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

// Children still running when this process exits are killed so no etcd outlives its owner, and
// the temp dirs of clusters that were never stopped are removed.
const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of liveChildren) c.kill('SIGKILL');
    for (const dir of tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
  });
}
function track(child: ChildProcess): void {
  installExitHook();
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

interface MemberState {
  member: EtcdMember;
  child?: ChildProcess;
  /** Resolves when the current child exits. */
  exited?: Promise<void>;
  /** Set when the child exited on its own (not through kill/stop): the reason, for errors. */
  earlyExit?: string;
}

const START_ATTEMPTS = 3;

/** What a data dir remembers about its cluster, so a kept dir can be started again: members'
 * cluster membership names their peer URLs, so the same ports must be used. */
interface ClusterLayout {
  members: number;
  ports: number[];
  token: string;
}

export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdCluster> {
  const count = opts.members ?? 1;
  const binary = opts.binary ?? findOnPath('etcd');
  if (!binary) throw new Error('etcd is not on PATH');
  const ownsDir = opts.dataDir === undefined;
  const root = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kapi-etcd-'));
  mkdirSync(root, { recursive: true });
  if (ownsDir) {
    installExitHook();
    tempDirs.add(root);
  }
  const layoutFile = join(root, 'cluster.json');
  const saved = readLayout(layoutFile);
  if (saved && saved.members !== count) {
    throw new Error(`${root} holds a ${saved.members}-member etcd cluster, not ${count}`);
  }

  // Free ports can be taken between probing and binding: a fresh cluster whose member dies at
  // start is started again on new ports with empty data dirs. A saved layout keeps its ports.
  let lastError: unknown;
  for (let attempt = 0; attempt < (saved ? 1 : START_ATTEMPTS); attempt++) {
    const layout: ClusterLayout = saved ?? {
      members: count,
      ports: await freePorts(count * 2),
      token: `kapi-${process.pid}-${Date.now().toString(36)}`,
    };
    try {
      const cluster = await startOnce(binary, layout, root, ownsDir, opts);
      if (!saved) writeFileSync(layoutFile, JSON.stringify(layout));
      return cluster;
    } catch (err) {
      lastError = err;
      if (!saved) for (let i = 0; i < count; i++) rmSync(join(root, `m${i}`), { recursive: true, force: true });
    }
  }
  if (ownsDir) {
    rmSync(root, { recursive: true, force: true });
    tempDirs.delete(root);
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function readLayout(file: string): ClusterLayout | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClusterLayout>;
  if (typeof parsed.members !== 'number' || !Array.isArray(parsed.ports) || typeof parsed.token !== 'string') {
    throw new Error(`${file} is not an etcd cluster layout`);
  }
  return { members: parsed.members, ports: parsed.ports, token: parsed.token };
}

async function startOnce(
  binary: string,
  layout: ClusterLayout,
  root: string,
  ownsDir: boolean,
  opts: StartEtcdOptions,
): Promise<EtcdCluster> {
  const { ports, token } = layout;
  const states: MemberState[] = [];
  for (let i = 0; i < layout.members; i++) {
    const name = `m${i}`;
    states.push({
      member: {
        name,
        clientUrl: `http://127.0.0.1:${ports[2 * i]}`,
        peerUrl: `http://127.0.0.1:${ports[2 * i + 1]}`,
        pid: 0,
        dataDir: join(root, name),
        logFile: join(root, `${name}.log`),
      },
    });
  }
  const initialCluster = states.map((s) => `${s.member.name}=${s.member.peerUrl}`).join(',');

  const args = (m: EtcdMember): string[] => {
    const a = [
      '--name', m.name,
      '--data-dir', m.dataDir,
      '--listen-client-urls', m.clientUrl,
      '--advertise-client-urls', m.clientUrl,
      '--listen-peer-urls', m.peerUrl,
      '--initial-advertise-peer-urls', m.peerUrl,
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', token,
      '--logger', 'zap',
    ];
    if (opts.progressNotifyIntervalMs !== undefined) {
      a.push('--experimental-watch-progress-notify-interval', `${opts.progressNotifyIntervalMs}ms`);
    }
    return a;
  };

  const launch = (s: MemberState): void => {
    const logFd = openSync(s.member.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(binary, args(s.member), { stdio: ['ignore', logFd, logFd], detached: false });
    } finally {
      closeSync(logFd);
    }
    track(child);
    s.child = child;
    s.member.pid = child.pid ?? 0;
    delete s.earlyExit;
    s.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (s.child === child) {
          s.earlyExit = `etcd ${s.member.name} exited (code ${code}, signal ${signal}); see ${s.member.logFile}`;
          s.member.pid = 0;
          delete s.child;
        }
        resolve();
      });
      child.once('error', (err) => {
        if (s.child === child) {
          s.earlyExit = `etcd ${s.member.name} failed to start: ${err.message}`;
          s.member.pid = 0;
          delete s.child;
        }
        resolve();
      });
    });
  };

  const stopMember = async (s: MemberState, signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    const child = s.child;
    const exited = s.exited;
    if (!child || !exited) return;
    delete s.child; // an exit from here on is intended, not an early exit
    s.member.pid = 0;
    child.kill('SIGCONT'); // a paused member cannot act on SIGTERM
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
    if (timedOut) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  // One member at a time: members stopped together each try to hand leadership to a peer that
  // is going away too, and hang until the grace period ends.
  const stopAll = async (): Promise<void> => {
    for (const s of states) await stopMember(s, 'SIGTERM', 5000);
  };

  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  try {
    for (const s of states) launch(s);
    await waitHealthy(states, timeoutMs);
  } catch (err) {
    await stopAll();
    throw err;
  }

  let stopped = false;
  const cluster: EtcdCluster = {
    endpoints: states.map((s) => s.member.clientUrl),
    members: states.map((s) => s.member),
    async kill(memberIndex, signal = 'SIGKILL') {
      const s = states[memberIndex];
      if (!s) throw new RangeError(`no etcd member ${memberIndex}`);
      if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
        s.child?.kill(signal);
        return;
      }
      await stopMember(s, signal, 10_000);
    },
    async restart(memberIndex) {
      const s = states[memberIndex];
      if (!s) throw new RangeError(`no etcd member ${memberIndex}`);
      if (stopped) throw new Error('etcd cluster was stopped');
      if (s.child) throw new Error(`etcd member ${memberIndex} is running`);
      launch(s);
      await waitHealthy([s], timeoutMs);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
      if (ownsDir) {
        rmSync(root, { recursive: true, force: true });
        tempDirs.delete(root);
      }
    },
  };
  return cluster;
}

/** Waits until every member in `states` reports healthy, failing fast if one exits. */
async function waitHealthy(states: MemberState[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(states);
  while (pending.size > 0) {
    for (const s of pending) {
      if (s.earlyExit) throw new Error(s.earlyExit);
      if (await healthy(s.member.clientUrl)) pending.delete(s);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const names = [...pending].map((s) => `${s.member.name} (log: ${s.member.logFile})`).join(', ');
      throw new Error(`etcd did not become healthy within ${timeoutMs} ms: ${names}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET <clientUrl>/health -> {"health":"true"}; false on any error or timeout. */
function healthy(clientUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${clientUrl}/health`, { method: 'GET', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && (JSON.parse(body) as { health?: unknown }).health === 'true');
        } catch {
          resolve(false);
        }
      });
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
