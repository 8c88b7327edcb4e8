// Throughput of the admission pool for a typical Pod create:
//   node services/admission/dist/bench-pool.js [workers=2] [inFlight=64] [seconds=5] [bus]
// With "bus", requests go through an InProcessBus to startAdmission instead of to the pool.

import { AdmissionRpc, type AdmissionRequest, InProcessBus } from '@kapi/bus';
import { AdmissionPool } from './pool.js';
import { startAdmission } from './service.js';

const [workersArg = '2', inFlightArg = '64', secondsArg = '5', via = 'pool'] = process.argv.slice(2);
const workers = Number(workersArg);
const inFlight = Number(inFlightArg);
const seconds = Number(secondsArg);

/** A typical Pod as kubectl/controllers send it (~1 KiB). */
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web', tier: 'frontend' }, annotations: { 'example.com/owner': 'team-a' } },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        imagePullPolicy: 'IfNotPresent',
        ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
        env: [
          { name: 'MODE', value: 'prod' },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5, periodSeconds: 10 },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
};

const body = new TextEncoder().encode(JSON.stringify(pod));
function request(): AdmissionRequest {
  return {
    operation: 'CREATE',
    ref: { group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'web-1', subresource: '' },
    kind: { group: '', version: 'v1', kind: 'Pod' },
    object: body,
    oldObject: new Uint8Array(),
    dryRun: false,
    fieldValidation: 'Strict',
    user: { username: 'bench', uid: '', groups: ['system:authenticated'], extra: {} },
  };
}

async function main(): Promise<void> {
  let review: (r: AdmissionRequest) => Promise<unknown>;
  let close: () => Promise<void>;
  if (via === 'bus') {
    const bus = new InProcessBus();
    const client = bus.peer();
    const svc = await startAdmission({ bus, workers });
    review = (r) => client.request(AdmissionRpc.review, r);
    close = async () => {
      await svc.close();
      await client.close();
      await bus.close();
    };
  } else {
    const pool = new AdmissionPool({ workers, maxQueue: Math.max(64, inFlight) });
    review = (r) => pool.review(r);
    close = () => pool.close();
  }

  // Warm up (threads load the definitions and compile the Pod decoder).
  await Promise.all(Array.from({ length: workers * 4 }, () => review(request())));

  let done = 0;
  let failed = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  async function loop(): Promise<void> {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await review(request());
        done++;
      } catch {
        failed++;
      }
      latencies.push(performance.now() - t);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, loop));
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(2);
  console.log(
    JSON.stringify({
      via,
      workers,
      inFlight,
      bytes: body.length,
      reviews: done,
      failed,
      perSecond: Math.round(done / elapsed),
      p50ms: pct(50),
      p99ms: pct(99),
      processCpuCores: ((cpu.user + cpu.system) / 1e6 / elapsed).toFixed(2),
    }),
  );
  await close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
