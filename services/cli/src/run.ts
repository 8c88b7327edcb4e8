// `kapi run <service>`: one service as its own process on NATS (and etcd for storage). Any number
// of replicas of each service may run; they share work through NATS queue groups. When the
// service can serve, one JSON line {"event":"ready",...} goes to stdout (launchers wait for it).

import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import { startAdmission } from '@kapi/admission';
import { NatsBus } from '@kapi/bus';
import { startControllers } from '@kapi/controllers';
import { startGateway } from '@kapi/gateway';
import { openKV } from '@kapi/kv';
import { startStorage } from '@kapi/storage';
import { startWatchCache } from '@kapi/watchcache';
import { type Stoppable, stopAll, stopOnSignals } from './lifecycle.js';
import { ensurePki } from './pki.js';
import type { FlowControlFlags } from './flowcontrol-flags.js';
import { type AdmissionFlags, admissionPluginsOf } from './admission-flags.js';
import { type AuthFlags, gatewayAuthentication, gatewayAuthorization, requestHeaderCA, storageTokenOptions } from './auth-flags.js';

/** Where `kapi run gateway` generates a serving certificate without --tls-cert-file. */
export const DEFAULT_CERT_DIR = 'apiserver.local.config/certificates';

export const SERVICES = ['gateway', 'storage', 'admission', 'controllers', 'watchcache'] as const;
export type ServiceKind = (typeof SERVICES)[number];

export interface RunOptions {
  natsUrl: string[];
  instance?: string;
  // storage
  etcdServers?: string[];
  sqlitePath?: string;
  compactionIntervalMs?: number;
  /** storage and controllers: --service-cluster-ip-range. */
  serviceClusterIPRange?: string;
  /** storage: --service-node-port-range. */
  serviceNodePortRange?: string;
  // controllers: the gateways the `kubernetes` Service's endpoints list (host:port)
  apiserverEndpoints?: string[];
  // admission
  workers?: number;
  // gateway
  securePort?: number;
  bindAddress?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  /** --cert-dir: where the serving certificate is generated when no --tls-cert-file is given. */
  certDir?: string;
  requestTimeoutMs?: number;
  /** --watch-buffer-budget-mb in bytes: the gateway's budget of unsent watch output. */
  watchBufferBudgetBytes?: number;
  /** Authentication/authorization flags (gateway) and the TokenRequest signer (storage). */
  auth?: AuthFlags;
  /** gateway: --max-requests-inflight, --max-mutating-requests-inflight, --enable-priority-and-fairness. */
  flowControl?: FlowControlFlags;
  /** admission: --enable-admission-plugins / --disable-admission-plugins. */
  admission?: AdmissionFlags;
}

export interface RunningService {
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startService(kind: ServiceKind, opts: RunOptions): Promise<RunningService> {
  const instance = opts.instance ?? `${kind}-${hostname()}-${process.pid}`;
  const started: Stoppable[] = [];
  try {
    const bus = await NatsBus.connect({ servers: opts.natsUrl, name: instance });
    started.push({ name: 'bus', stop: () => bus.close() });
    const ready: Record<string, unknown> = { event: 'ready', service: kind, instance, pid: process.pid };
    switch (kind) {
      case 'storage': {
        const kv = opts.etcdServers?.length
          ? await openKV({ driver: 'etcd3', endpoints: opts.etcdServers })
          : await openKV({ driver: 'sqlite', path: opts.sqlitePath ?? 'kapi.db' });
        started.push({ name: 'kv', stop: () => kv.close() });
        const storage = await startStorage({
          bus,
          kv,
          instance,
          compactionIntervalMs: opts.compactionIntervalMs,
          serviceClusterIPRange: opts.serviceClusterIPRange,
          serviceNodePortRange: opts.serviceNodePortRange,
          serviceAccountTokens: await storageTokenOptions(opts.auth ?? {}),
        });
        started.push({ name: 'storage', stop: () => storage.close() });
        break;
      }
      case 'watchcache': {
        const kv = opts.etcdServers?.length
          ? await openKV({ driver: 'etcd3', endpoints: opts.etcdServers })
          : await openKV({ driver: 'sqlite', path: opts.sqlitePath ?? 'kapi.db' });
        started.push({ name: 'kv', stop: () => kv.close() });
        const watchcache = await startWatchCache({ bus, kv, instance, election: true });
        started.push({ name: 'watchcache', stop: () => watchcache.close() });
        await watchcache.ready();
        break;
      }
      case 'admission': {
        const admission = await startAdmission({ bus, workers: opts.workers, instance, admissionPlugins: admissionPluginsOf(opts.admission ?? {}) });
        started.push({ name: 'admission', stop: () => admission.close() });
        break;
      }
      case 'controllers': {
        const controllers = await startControllers({
          bus,
          instance,
          serviceClusterIPRange: opts.serviceClusterIPRange,
          apiserverEndpoints: (opts.apiserverEndpoints ?? []).map(parseHostPort),
        });
        started.push({ name: 'controllers', stop: () => controllers.close() });
        break;
      }
      case 'gateway': {
        // kube-apiserver: without --tls-cert-file/--tls-private-key-file a certificate is
        // generated into --cert-dir; without --client-ca-file there is no x509 authentication.
        if (!!opts.tlsCertFile !== !!opts.tlsPrivateKeyFile) throw new Error('--tls-cert-file and --tls-private-key-file must be given together');
        const generated = opts.tlsCertFile ? undefined : await ensurePki(opts.certDir ?? DEFAULT_CERT_DIR, opts.bindAddress ?? '127.0.0.1');
        const gateway = await startGateway({
          bus,
          instance,
          bindAddress: opts.bindAddress ?? '127.0.0.1',
          port: opts.securePort ?? 6443,
          tls: {
            cert: generated ? generated.servingCert : await readFile(opts.tlsCertFile!, 'utf8'),
            key: generated ? generated.servingKey : await readFile(opts.tlsPrivateKeyFile!, 'utf8'),
            clientCA: opts.clientCaFile ? await readFile(opts.clientCaFile, 'utf8') : '',
            requestHeaderCA: await requestHeaderCA(opts.auth ?? {}),
          },
          requestTimeoutMs: opts.requestTimeoutMs,
          watchBufferBudgetBytes: opts.watchBufferBudgetBytes,
          authentication: gatewayAuthentication(opts.auth ?? {}),
          ...gatewayAuthorization(opts.auth ?? {}),
          ...opts.flowControl,
        });
        started.push({ name: 'gateway', stop: () => gateway.close() });
        ready.port = gateway.port;
        break;
      }
    }
    return { ready, stop: () => stopAll(started) };
  } catch (err) {
    await stopAll(started).catch(() => undefined);
    throw err;
  }
}

/** "host:port" or "[v6]:port" as an API server endpoint. */
function parseHostPort(text: string): { ip: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text.trim());
  if (!match || Number(match[2]) > 65535) throw new Error(`--apiserver-endpoints: ${JSON.stringify(text)} is not host:port`);
  return { ip: match[1]!, port: Number(match[2]) };
}

/** The `kapi run` command: start, announce readiness, stop on a signal. */
export async function runServiceCommand(kind: ServiceKind, opts: RunOptions): Promise<void> {
  const service = await startService(kind, opts);
  process.stdout.write(JSON.stringify(service.ready) + '\n');
  stopOnSignals(service.stop);
}
