#!/usr/bin/env node
// The `kapi` command.

import { Command, InvalidArgumentError, Option } from 'commander';
import { addAuthFlags, authFlagsFrom } from './auth-flags.js';
import { addFlowControlFlags, flowControlFlagsFrom } from './flowcontrol-flags.js';
import { addAdmissionFlags, admissionFlagsFrom } from './admission-flags.js';
import { startCluster } from './cluster.js';
import { stopOnSignals } from './lifecycle.js';
import { runServiceCommand, SERVICES, type ServiceKind } from './run.js';
import { startUp } from './up.js';

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!match) throw new InvalidArgumentError('must be a duration like 60s, 500ms or 5m');
  const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * scale;
}

const program = new Command('kapi').description('A Kubernetes API server in TypeScript').showHelpAfterError();

addAdmissionFlags(addFlowControlFlags(addAuthFlags(program
  .command('up'))))
  .description('all-in-one server: every service in one process, embedded SQLite store, HTTPS')
  .option('--data-dir <dir>', 'where data, certificates and the admin kubeconfig live', '.kapi')
  .option('--secure-port <port>', 'HTTPS port', integer(0, 65535), 6443)
  .option('--bind-address <addr>', 'address to listen on', '127.0.0.1')
  .option('--admission-workers <n>', 'admission worker threads (default: number of cores)', integer(1, 64))
  .option('--admission-replicas <n>', 'admission services in the process sharing the reviews', integer(1, 16), 1)
  .option('--service-cluster-ip-range <cidrs>', 'CIDR(s) service cluster IPs are allocated from (IPv4 first; an IPv6 one after a comma)', '10.0.0.0/24')
  .option('--service-node-port-range <range>', 'port range node ports are allocated from', '30000-32767')
  .action(async (o: { dataDir: string; securePort: number; bindAddress: string; admissionWorkers?: number; serviceClusterIpRange: string; serviceNodePortRange: string }) => {
    const server = await startUp({
      dataDir: o.dataDir,
      securePort: o.securePort,
      bindAddress: o.bindAddress,
      admissionWorkers: o.admissionWorkers,
      admissionReplicas: (o as { admissionReplicas?: number }).admissionReplicas,
      serviceClusterIPRange: o.serviceClusterIpRange,
      serviceNodePortRange: o.serviceNodePortRange,
      auth: authFlagsFrom(o),
      flowControl: flowControlFlagsFrom(o),
      admission: admissionFlagsFrom(o),
    });
    process.stdout.write(
      `kapi is serving on https://${o.bindAddress}:${server.port} (data in ${server.dataDir})\n` +
        `admin kubeconfig: ${server.kubeconfigPath}\n\n` +
        `  export KUBECONFIG=${server.kubeconfigPath}\n  kubectl get namespaces\n\n`,
    );
    stopOnSignals(server.stop);
  });

addAdmissionFlags(addFlowControlFlags(addAuthFlags(program
  .command('run'))))
  .description('run one service as its own process (any number of replicas)')
  .argument('<service>', `one of: ${SERVICES.join(', ')}`)
  .option('--nats-url <urls>', 'NATS server URL(s), comma-separated', list, ['nats://127.0.0.1:4222'])
  .option('--instance <name>', 'instance name in health reports and logs')
  .option('--etcd-servers <urls>', 'storage, watchcache: etcd endpoints, comma-separated', list)
  .option('--sqlite-path <file>', 'storage, watchcache: embedded SQLite file when no --etcd-servers are given')
  .option('--compaction-interval <duration>', 'storage: how often etcd history is compacted (0 disables)', duration)
  .option('--service-cluster-ip-range <cidrs>', 'storage, controllers: CIDR(s) service cluster IPs are allocated from', '10.0.0.0/24')
  .option('--service-node-port-range <range>', 'storage: port range node ports are allocated from', '30000-32767')
  .option('--apiserver-endpoints <host:port,...>', 'controllers: the gateways the kubernetes Service lists', list)
  .option('--workers <n>', 'admission: worker threads (default: number of cores)', integer(1, 64))
  .option('--secure-port <port>', 'gateway: HTTPS port', integer(0, 65535), 6443)
  .option('--bind-address <addr>', 'gateway: address to listen on', '127.0.0.1')
  .option('--tls-cert-file <file>', 'gateway: serving certificate (PEM)')
  .option('--tls-private-key-file <file>', 'gateway: serving key (PEM)')
  .option('--client-ca-file <file>', 'gateway: CA that signs client certificates (PEM)')
  .option('--cert-dir <dir>', 'gateway: where a serving certificate is generated when --tls-cert-file is not given')
  .option('--request-timeout <duration>', 'gateway: deadline of non-long-running requests', duration)
  .option('--watch-buffer-budget-mb <n>', 'gateway: unsent watch output all watchers may hold before the largest backlogs are closed', integer(1, 65536), 256)
  .action(async (service: string, o: Record<string, unknown>) => {
    if (!(SERVICES as readonly string[]).includes(service)) throw new InvalidArgumentError(`unknown service "${service}": one of ${SERVICES.join(', ')}`);
    await runServiceCommand(service as ServiceKind, {
      natsUrl: o.natsUrl as string[],
      instance: o.instance as string | undefined,
      etcdServers: o.etcdServers as string[] | undefined,
      sqlitePath: o.sqlitePath as string | undefined,
      compactionIntervalMs: o.compactionInterval as number | undefined,
      serviceClusterIPRange: o.serviceClusterIpRange as string,
      serviceNodePortRange: o.serviceNodePortRange as string,
      apiserverEndpoints: o.apiserverEndpoints as string[] | undefined,
      workers: o.workers as number | undefined,
      securePort: o.securePort as number,
      bindAddress: o.bindAddress as string,
      tlsCertFile: o.tlsCertFile as string | undefined,
      tlsPrivateKeyFile: o.tlsPrivateKeyFile as string | undefined,
      clientCaFile: o.clientCaFile as string | undefined,
      certDir: o.certDir as string | undefined,
      requestTimeoutMs: o.requestTimeout as number | undefined,
      watchBufferBudgetBytes: (o.watchBufferBudgetMb as number) * 1024 * 1024,
      auth: authFlagsFrom(o),
      flowControl: flowControlFlagsFrom(o),
      admission: admissionFlagsFrom(o),
    });
  });

addAdmissionFlags(addFlowControlFlags(addAuthFlags(program
  .command('cluster'))))
  .description('distributed mode on this machine: etcd, nats-server and N replicas of every service as processes')
  .option('--data-dir <dir>', 'certificates, logs, cluster.json and the admin kubeconfig', '.kapi-cluster')
  .option('--secure-port <port>', 'HTTPS port of the first gateway (the others follow)', integer(1, 65535), 6443)
  .option('--replicas <n>', 'replicas of every service', integer(1, 16), 1)
  .addOption(new Option('--etcd-members <n>', 'etcd members').choices(['1', '3']).default('1'))
  .option('--admission-workers <n>', 'worker threads per admission replica', integer(1, 64))
  .option('--service-cluster-ip-range <cidrs>', 'CIDR(s) service cluster IPs are allocated from', '10.0.0.0/24')
  .option('--service-node-port-range <range>', 'port range node ports are allocated from', '30000-32767')
  .action(async (o: { dataDir: string; securePort: number; replicas: number; etcdMembers: string; admissionWorkers?: number; serviceClusterIpRange: string; serviceNodePortRange: string }) => {
    // Until the cluster is up, a signal exits at once; startCluster's exit hook kills what started.
    const early = (): never => process.exit(130);
    process.once('SIGINT', early);
    process.once('SIGTERM', early);
    const cluster = await startCluster({
      dataDir: o.dataDir,
      securePort: o.securePort,
      replicas: o.replicas,
      etcdMembers: o.etcdMembers === '3' ? 3 : 1,
      admissionWorkers: o.admissionWorkers,
      serviceClusterIPRange: o.serviceClusterIpRange,
      serviceNodePortRange: o.serviceNodePortRange,
      auth: authFlagsFrom(o),
      flowControl: flowControlFlagsFrom(o),
      admission: admissionFlagsFrom(o),
    });
    const d = cluster.description;
    process.stdout.write(
      `kapi cluster is up: ${d.gateways.length} gateway(s) at ${d.gateways.join(', ')}\n` +
        `etcd: ${d.etcd.map((m) => m.clientUrl).join(', ')}  nats: ${d.nats.url}\n` +
        `processes: ${d.dataDir}/cluster.json  logs: ${d.dataDir}/logs\n\n` +
        `  export KUBECONFIG=${d.kubeconfig}\n  kubectl get namespaces\n\n`,
    );
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
    stopOnSignals(cluster.stop);
  });

program
  .command('bench')
  .description('benchmark kapi against raw etcd (see README)')
  .addOption(new Option('--duration <duration>', 'how long each measurement runs (a bare number is seconds)').argParser(duration).default(10_000, '10s'))
  .option('--concurrency <n>', 'clients in flight', integer(1, 1024), 64)
  .action(async (o: { duration: number; concurrency: number }) => {
    const { runBench } = await import('./bench/index.js');
    await runBench({ durationMs: o.duration, concurrency: o.concurrency });
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`kapi: ${err.message}\n`);
  process.exit(1);
});
