// `kapi up`: the all-in-one server. Every service in this process over an InProcessBus, the
// embedded SQLite KV in the data dir, HTTPS with a CA generated on first start, and an admin
// kubeconfig written next to the data.

import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { startAdmission } from '@kapi/admission';
import { InProcessBus } from '@kapi/bus';
import { startControllers } from '@kapi/controllers';
import { startGateway } from '@kapi/gateway';
import { openKV } from '@kapi/kv';
import { startStorage } from '@kapi/storage';
import { advertiseAddress } from './advertise-address.js';
import { startWatchCache } from '@kapi/watchcache';
import { writeAdminKubeconfig } from './kubeconfig.js';
import { ensurePki } from './pki.js';
import { type Stoppable, stopAll } from './lifecycle.js';
import { type AuthFlags, gatewayAuthentication, gatewayAuthorization, requestHeaderCA, storageTokenOptions, withGeneratedServiceAccountKeys } from './auth-flags.js';
import { ensureServiceAccountKeys } from './sa-keys.js';
import type { FlowControlFlags } from './flowcontrol-flags.js';
import { type AdmissionFlags, admissionPluginsOf } from './admission-flags.js';

export interface UpOptions {
  dataDir: string;
  securePort: number;
  bindAddress: string;
  admissionWorkers?: number;
  /** Admission services on the in-process bus sharing the reviews (default 1). */
  admissionReplicas?: number;
  /** --service-cluster-ip-range (default 10.0.0.0/24). */
  serviceClusterIPRange?: string;
  /** --service-node-port-range (default 30000-32767). */
  serviceNodePortRange?: string;
  /** The gateway's budget of unsent watch output (default 256 MiB). */
  watchBufferBudgetBytes?: number;
  /** Print the kubeconfig hint (the CLI does; tests do not). */
  quiet?: boolean;
  /** Authentication/authorization flags; service-account keys default to the data dir's. */
  auth?: AuthFlags;
  /** --max-requests-inflight, --max-mutating-requests-inflight, --enable-priority-and-fairness. */
  flowControl?: FlowControlFlags;
  /** --enable-admission-plugins / --disable-admission-plugins. */
  admission?: AdmissionFlags;
}

export interface RunningServer {
  port: number;
  kubeconfigPath: string;
  dataDir: string;
  stop(): Promise<void>;
}

function serverUrl(bindAddress: string, port: number): string {
  const host = bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress;
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startUp(opts: UpOptions): Promise<RunningServer> {
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pki = await ensurePki(dataDir, opts.bindAddress);
  const auth = withGeneratedServiceAccountKeys(opts.auth ?? {}, await ensureServiceAccountKeys(dataDir));
  const started: Stoppable[] = [];
  try {
    const kv = await openKV({ driver: 'sqlite', path: join(dataDir, 'kapi.db') });
    started.push({ name: 'kv', stop: () => kv.close() });
    const bus = new InProcessBus();
    started.push({ name: 'bus', stop: () => bus.close() });
    const admissionPlugins = admissionPluginsOf(opts.admission ?? {});
    const replicas = Math.max(1, opts.admissionReplicas ?? 1);
    // Replicas in one process share its cores: without --admission-workers they split them.
    const workers = opts.admissionWorkers ?? Math.max(1, Math.floor(availableParallelism() / replicas));
    for (let i = 0; i < replicas; i++) {
      const admission = await startAdmission({ bus, workers, admissionPlugins, instance: `admission-${i}` });
      started.push({ name: 'admission', stop: () => admission.close() });
    }
    const storage = await startStorage({
      bus,
      kv,
      serviceClusterIPRange: opts.serviceClusterIPRange,
      serviceNodePortRange: opts.serviceNodePortRange,
      serviceAccountTokens: await storageTokenOptions(auth),
    });
    started.push({ name: 'storage', stop: () => storage.close() });
    const watchcache = await startWatchCache({ bus, kv });
    started.push({ name: 'watchcache', stop: () => watchcache.close() });
    const controllers = await startControllers({ bus, serviceClusterIPRange: opts.serviceClusterIPRange });
    started.push({ name: 'controllers', stop: () => controllers.close() });
    await controllers.ready;
    const gateway = await startGateway({
      bus,
      watchBufferBudgetBytes: opts.watchBufferBudgetBytes,
      bindAddress: opts.bindAddress,
      port: opts.securePort,
      tls: { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert, requestHeaderCA: await requestHeaderCA(auth) },
      authentication: gatewayAuthentication(auth),
      ...gatewayAuthorization(auth),
      ...opts.flowControl,
    });
    started.push({ name: 'gateway', stop: () => gateway.close() });
    // The `kubernetes` Service points at this gateway; a failed first pass is retried periodically.
    await controllers.setApiserverEndpoints([{ ip: advertiseAddress(opts.bindAddress), port: gateway.port }]).catch((err: unknown) => {
      process.stderr.write(`kapi: the kubernetes Service is not reconciled yet: ${err instanceof Error ? err.message : String(err)}\n`);
    });

    const kubeconfigPath = join(dataDir, 'admin.kubeconfig');
    await writeAdminKubeconfig(kubeconfigPath, { server: serverUrl(opts.bindAddress, gateway.port), pki });
    return { port: gateway.port, kubeconfigPath, dataDir, stop: () => stopAll(started) };
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}
