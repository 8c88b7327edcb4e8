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
import { type Stoppable, stopAll, stopOnSignals } from './lifecycle.js';
import { type AuthFlags, gatewayAuthentication, requestHeaderCA, storageTokenOptions } from './auth-flags.js';

export const SERVICES = ['gateway', 'storage', 'admission', 'controllers'] as const;
export type ServiceKind = (typeof SERVICES)[number];

export interface RunOptions {
  natsUrl: string[];
  instance?: string;
  // storage
  etcdServers?: string[];
  sqlitePath?: string;
  compactionIntervalMs?: number;
  // admission
  workers?: number;
  // gateway
  securePort?: number;
  bindAddress?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  requestTimeoutMs?: number;
  /** Authentication/authorization flags (gateway) and the TokenRequest signer (storage). */
  auth?: AuthFlags;
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
          serviceAccountTokens: await storageTokenOptions(opts.auth ?? {}),
        });
        started.push({ name: 'storage', stop: () => storage.close() });
        break;
      }
      case 'admission': {
        const admission = await startAdmission({ bus, workers: opts.workers, instance });
        started.push({ name: 'admission', stop: () => admission.close() });
        break;
      }
      case 'controllers': {
        const controllers = await startControllers({ bus, instance });
        started.push({ name: 'controllers', stop: () => controllers.close() });
        break;
      }
      case 'gateway': {
        if (!opts.tlsCertFile || !opts.tlsPrivateKeyFile || !opts.clientCaFile) {
          throw new Error('the gateway needs --tls-cert-file, --tls-private-key-file and --client-ca-file');
        }
        const gateway = await startGateway({
          bus,
          instance,
          bindAddress: opts.bindAddress ?? '127.0.0.1',
          port: opts.securePort ?? 6443,
          tls: {
            cert: await readFile(opts.tlsCertFile, 'utf8'),
            key: await readFile(opts.tlsPrivateKeyFile, 'utf8'),
            clientCA: await readFile(opts.clientCaFile, 'utf8'),
            requestHeaderCA: await requestHeaderCA(opts.auth ?? {}),
          },
          requestTimeoutMs: opts.requestTimeoutMs,
          authentication: gatewayAuthentication(opts.auth ?? {}),
          authorizationModes: opts.auth?.authorizationMode,
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

/** The `kapi run` command: start, announce readiness, stop on a signal. */
export async function runServiceCommand(kind: ServiceKind, opts: RunOptions): Promise<void> {
  const service = await startService(kind, opts);
  process.stdout.write(JSON.stringify(service.ready) + '\n');
  stopOnSignals(service.stop);
}
