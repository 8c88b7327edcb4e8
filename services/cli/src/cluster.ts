// `kapi cluster`: a whole distributed topology on one machine — etcd member(s) and nats-server
// from PATH on free loopback ports, and N replicas of every service as separate `kapi run`
// processes (gateways on consecutive ports from --secure-port). DIR/cluster.json lists every
// process; DIR/admin.kubeconfig points at the first gateway.

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startEtcd, startNats } from '@kapi/testing';
import { writeAdminKubeconfig } from './kubeconfig.js';
import { type Stoppable, stopAll } from './lifecycle.js';
import { ensurePki } from './pki.js';
import { type FlowControlFlags, flowControlFlagArgs } from './flowcontrol-flags.js';
import { type AdmissionFlags, admissionFlagArgs } from './admission-flags.js';
import { type AuthFlags, authFlagArgs, withGeneratedServiceAccountKeys } from './auth-flags.js';
import { ensureServiceAccountKeys } from './sa-keys.js';
import type { ServiceKind } from './run.js';

export interface ClusterOptions {
  dataDir: string;
  securePort: number;
  replicas: number;
  etcdMembers: 1 | 3;
  admissionWorkers?: number;
  /** --service-cluster-ip-range for storage and controllers (default 10.0.0.0/24). */
  serviceClusterIPRange?: string;
  /** --service-node-port-range for storage (default 30000-32767). */
  serviceNodePortRange?: string;
  /** Milliseconds to wait for each process to report ready. */
  readyTimeoutMs?: number;
  /** Authentication/authorization flags for every gateway (and storage's token signer). */
  auth?: AuthFlags;
  /** Priority and fairness flags for every gateway. */
  flowControl?: FlowControlFlags;
  /** Admission plugin flags for every admission replica. */
  admission?: AdmissionFlags;
}

export interface ClusterProcess {
  role: ServiceKind;
  replica: number;
  pid: number;
  port?: number;
  log: string;
}

export interface ClusterDescription {
  dataDir: string;
  kubeconfig: string;
  gateways: string[];
  etcd: { name: string; clientUrl: string; pid: number }[];
  nats: { url: string; pid: number };
  processes: ClusterProcess[];
}

export interface RunningCluster {
  description: ClusterDescription;
  /** The child process of one service replica (for chaos tests). */
  child(role: ServiceKind, replica: number): ChildProcess | undefined;
  killEtcdMember(index: number, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** Extra node flags for every service process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to
 * profile a cluster; node refuses --cpu-prof in NODE_OPTIONS). */
function childNodeArgs(): string[] {
  return (process.env.KAPI_CHILD_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg !== '');
}

interface Spawned {
  child: ChildProcess;
  /** Resolves with the process's ready line; rejects if it exits or times out first. */
  ready: Promise<Record<string, unknown>>;
}

/** Spawns `kapi run <role>`; its output goes to `logFile`. */
function spawnService(args: string[], logFile: string, timeoutMs: number): Spawned {
  const child = spawn(process.execPath, [...childNodeArgs(), MAIN, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<Record<string, unknown>>((resolvePromise, reject) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stderr!.pipe(log);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kapi run ${args[0]} did not become ready in ${timeoutMs} ms (see ${logFile})`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    let ready = false;
    lines.on('line', (line) => {
      log.write(line + '\n');
      if (ready) return;
      try {
        const message = JSON.parse(line) as Record<string, unknown>;
        if (message.event === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolvePromise(message);
        }
      } catch {
        // Not a JSON line: ordinary output, already logged.
      }
    });
    // 'close' comes after the last output line, so the log is not written after its end.
    child.on('close', () => log.end());
    child.on('exit', (code, signal) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`kapi run ${args[0]} exited (${signal ?? code}) before it was ready (see ${logFile})`));
      } else if (code !== 0 && signal !== 'SIGTERM') {
        // The other replicas keep serving; say so, since nobody restarts it.
        process.stderr.write(`kapi cluster: ${args[0]} (pid ${child.pid}) exited (${signal ?? code}); see ${logFile}\n`);
      }
    });
  });
  return { child, ready };
}

function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

/** audit.log → audit-gateway-1.log for the second gateway ('-' and unset stay as they are). */
export function perReplicaPath(path: string | undefined, replica: number): string | undefined {
  if (!path || path === '-' || replica === 0) return path;
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}-gateway-${replica}${ext}`;
}

export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const dataDir = resolve(opts.dataDir);
  const logDir = join(dataDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const pki = await ensurePki(dataDir, '127.0.0.1');
  const auth = withGeneratedServiceAccountKeys(opts.auth ?? {}, await ensureServiceAccountKeys(dataDir));
  const authArgs = authFlagArgs(auth);
  const started: Stoppable[] = [];
  const children = new Map<string, ChildProcess>();
  // If this process exits without stop() (an error, a signal during start), no service outlives it.
  const killOnExit = (): void => {
    for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const stopEverything = async (): Promise<void> => {
    try {
      await stopAll(started);
    } finally {
      process.off('exit', killOnExit);
    }
  };
  try {
    // etcd keeps its data (and ports) in DIR/etcd, so a restarted cluster has its objects.
    const etcd = await startEtcd({ members: opts.etcdMembers, dataDir: join(dataDir, 'etcd') });
    started.push({ name: 'etcd', stop: () => etcd.stop() });
    await mkdir(join(dataDir, 'nats'), { recursive: true });
    const nats = await startNats({ dir: join(dataDir, 'nats') });
    started.push({ name: 'nats', stop: () => nats.stop() });

    const common = ['--nats-url', nats.url];
    const clusterIPRange = opts.serviceClusterIPRange ? ['--service-cluster-ip-range', opts.serviceClusterIPRange] : [];
    const serviceRanges = [...clusterIPRange, ...(opts.serviceNodePortRange ? ['--service-node-port-range', opts.serviceNodePortRange] : [])];
    // Every gateway listens on 127.0.0.1 at securePort + replica: the `kubernetes` Service's endpoints.
    const gatewayEndpoints = Array.from({ length: opts.replicas }, (_, replica) => `127.0.0.1:${opts.securePort + replica}`);
    const argsFor = (role: ServiceKind, replica: number): string[] => {
      const instance = ['--instance', `${role}-${replica}`];
      switch (role) {
        case 'storage':
          return [role, ...common, ...instance, '--etcd-servers', etcd.endpoints.join(','), ...serviceRanges, ...authArgs];
        case 'watchcache':
          return [role, ...common, ...instance, '--etcd-servers', etcd.endpoints.join(',')];
        case 'admission':
          return [role, ...common, ...instance, ...(opts.admissionWorkers ? ['--workers', String(opts.admissionWorkers)] : []), ...admissionFlagArgs(opts.admission ?? {})];
        case 'controllers':
          return [role, ...common, ...instance, ...clusterIPRange, '--apiserver-endpoints', gatewayEndpoints.join(',')];
        case 'gateway':
          return [
            role,
            ...common,
            ...instance,
            '--secure-port',
            String(opts.securePort + replica),
            '--bind-address',
            '127.0.0.1',
            '--tls-cert-file',
            pki.files.servingCert,
            '--tls-private-key-file',
            pki.files.servingKey,
            '--client-ca-file',
            pki.files.caCert,
            // each gateway writes its own audit log, as each kube-apiserver does
            ...authFlagArgs({ ...auth, auditLogPath: perReplicaPath(auth.auditLogPath, replica) }),
            ...flowControlFlagArgs(opts.flowControl ?? {}),
          ];
      }
    };

    const processes: ClusterProcess[] = [];
    // Storage and admission first, so controllers and gateways find them ready.
    for (const role of ['storage', 'watchcache', 'admission', 'controllers', 'gateway'] as ServiceKind[]) {
      const launches: Promise<void>[] = [];
      for (let replica = 0; replica < opts.replicas; replica++) {
        const log = join(logDir, `${role}-${replica}.log`);
        const { child, ready } = spawnService(argsFor(role, replica), log, readyTimeoutMs);
        // Registered before it is ready, so a failed start or a signal stops it too.
        children.set(`${role}-${replica}`, child);
        started.push({ name: `${role}-${replica}`, stop: () => stopChild(child) });
        launches.push(
          ready.then((message) => {
            const entry: ClusterProcess = { role, replica, pid: child.pid!, log };
            if (typeof message.port === 'number') entry.port = message.port;
            processes.push(entry);
          }),
        );
      }
      const outcomes = await Promise.allSettled(launches);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    }

    const gateways = processes
      .filter((p) => p.role === 'gateway')
      .sort((a, b) => a.replica - b.replica)
      .map((p) => `https://127.0.0.1:${p.port}`);
    const kubeconfig = join(dataDir, 'admin.kubeconfig');
    await writeAdminKubeconfig(kubeconfig, { server: gateways[0]!, pki });
    const description: ClusterDescription = {
      dataDir,
      kubeconfig,
      gateways,
      etcd: etcd.members.map((m) => ({ name: m.name, clientUrl: m.clientUrl, pid: m.pid })),
      nats: { url: nats.url, pid: nats.pid },
      processes,
    };
    await writeFile(join(dataDir, 'cluster.json'), JSON.stringify(description, null, 2) + '\n');
    return {
      description,
      child: (role, replica) => children.get(`${role}-${replica}`),
      killEtcdMember: (index, signal) => etcd.kill(index, signal),
      stop: stopEverything,
    };
  } catch (err) {
    await stopEverything().catch(() => undefined);
    throw err;
  }
}
