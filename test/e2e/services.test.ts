// Services through kubectl against `kapi up`: cluster IPs from --service-cluster-ip-range as
// IPAddress objects, node ports, kube's refusal of a taken cluster IP, release on delete, and the
// `kubernetes` Service of the API server itself.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startUp } from '@kapi/cli';
import { Kubectl, findKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const binary = findKubectl();
if (!binary) console.log('# skipping services e2e against kapi up: no kubectl on PATH');

/** 10.0.0.0/24 minus the network and broadcast addresses. */
function inDefaultRange(ip: string): boolean {
  const match = /^10\.0\.0\.(\d+)$/.exec(ip);
  return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= 254;
}

describe('kubectl services against kapi up', { skip: binary ? false : 'no kubectl on PATH' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  let kubectl: Kubectl;

  before(async () => {
    dir = await tempDir('e2e-services');
    server = await startUp({ dataDir: dir.path, securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true });
    kubectl = new Kubectl(binary!, server.kubeconfigPath);
  });

  after(async () => {
    await server?.stop();
    await dir.remove();
  });

  /**
   * `kubectl create <generator> ...`: kubectl's typed generators post protobuf, which kapi serves
   * once the protobuf branch merges; until then the generator's object goes through
   * `kubectl create -f` as YAML (the same object, the same server path).
   */
  const generate = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const yaml = await kubectl.ok(['create', ...args, '--dry-run=client', '-o', 'yaml']);
    return kubectl.run(['create', '-f', '-', '--validate=false'], { input: yaml });
  };
  const generateOk = async (args: string[]): Promise<void> => {
    const result = await generate(args);
    if (result.code !== 0) throw new Error(`kubectl create ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  };

  it('has the kubernetes Service in default on the first IP, pointing at the gateway', async () => {
    const svc = JSON.parse(await kubectl.ok(['get', 'svc', 'kubernetes', '-n', 'default', '-o', 'json'])) as any;
    assert.equal(svc.spec.clusterIP, '10.0.0.1');
    assert.deepEqual(svc.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server!.port }]);
    assert.equal(svc.spec.type, 'ClusterIP');
    const endpoints = JSON.parse(await kubectl.ok(['get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'json'])) as any;
    assert.deepEqual(endpoints.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: server!.port, protocol: 'TCP' }] }]);
    const slice = JSON.parse(await kubectl.ok(['get', 'endpointslices.discovery.k8s.io', 'kubernetes', '-n', 'default', '-o', 'json'])) as any;
    assert.deepEqual(slice.endpoints.map((e: any) => e.addresses), [['127.0.0.1']]);
    const cidr = JSON.parse(await kubectl.ok(['get', 'servicecidrs', 'kubernetes', '-o', 'json'])) as any;
    assert.deepEqual(cidr.spec.cidrs, ['10.0.0.0/24']);
    assert.equal(cidr.status.conditions[0].type, 'Ready');
    assert.match(await kubectl.ok(['get', 'ipaddresses', '10.0.0.1', '-o', 'jsonpath={.spec.parentRef.name}']), /^kubernetes$/);
  });

  it('gives `kubectl create service clusterip` an IP in range, recorded as an IPAddress', async () => {
    await generateOk(['service', 'clusterip', 's', '--tcp=80:8080']);
    const svc = JSON.parse(await kubectl.ok(['get', 'svc', 's', '-o', 'json'])) as any;
    assert.ok(inDefaultRange(svc.spec.clusterIP), svc.spec.clusterIP);
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
    assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
    assert.deepEqual(svc.spec.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
    const ips = await kubectl.ok(['get', 'ipaddresses', '-o', 'name']);
    assert.ok(ips.includes(`ipaddress.networking.k8s.io/${svc.spec.clusterIP}`), ips);
    const ipAddress = JSON.parse(await kubectl.ok(['get', 'ipaddress', svc.spec.clusterIP, '-o', 'json'])) as any;
    assert.deepEqual(ipAddress.spec.parentRef, { group: '', resource: 'services', namespace: 'default', name: 's' });
    assert.equal(ipAddress.metadata.labels['ipaddress.kubernetes.io/managed-by'], 'ipallocator.k8s.io');
  });

  it('exposes a deployment', async () => {
    await generateOk(['deployment', 'web', '--image=nginx', '--port=80']);
    await kubectl.ok(['expose', 'deployment', 'web', '--port=8080', '--target-port=80']);
    const svc = JSON.parse(await kubectl.ok(['get', 'svc', 'web', '-o', 'json'])) as any;
    assert.ok(inDefaultRange(svc.spec.clusterIP), svc.spec.clusterIP);
    assert.deepEqual(svc.spec.selector, { app: 'web' });
    assert.equal(svc.spec.ports[0].targetPort, 80);
  });

  it('gives a NodePort service a node port in range', async () => {
    await generateOk(['service', 'nodeport', 'np', '--tcp=80:8080']);
    const svc = JSON.parse(await kubectl.ok(['get', 'svc', 'np', '-o', 'json'])) as any;
    const nodePort = svc.spec.ports[0].nodePort as number;
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
    assert.equal(svc.spec.externalTrafficPolicy, 'Cluster');
    const taken = await generate(['service', 'nodeport', 'np2', '--tcp=81:8080', `--node-port=${nodePort}`]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, new RegExp(`The Service "np2" is invalid: spec.ports\\[0\\].nodePort: Invalid value: ${nodePort}: provided port is already allocated`));
  });

  it('refuses a taken cluster IP with kube text and releases IPs on delete', async () => {
    const ip = await kubectl.ok(['get', 'svc', 's', '-o', 'jsonpath={.spec.clusterIP}']);
    const taken = await generate(['service', 'clusterip', 'dup', '--tcp=80:8080', `--clusterip=${ip}`]);
    assert.equal(taken.code, 1);
    assert.equal(
      taken.stderr.trim(),
      `The Service "dup" is invalid: spec.clusterIPs: Invalid value: ["${ip}"]: failed to allocate IP ${ip}: provided IP is already allocated`,
    );
    const outside = await generate(['service', 'clusterip', 'far', '--tcp=80:8080', '--clusterip=192.168.7.7']);
    assert.match(outside.stderr, /spec.clusterIPs: Invalid value: \["192.168.7.7"\]: failed to allocate IP 192.168.7.7: the provided network does not match the current range/);
    const network = await generate(['service', 'clusterip', 'net', '--tcp=80:8080', '--clusterip=10.0.0.0']);
    assert.match(network.stderr, /failed to allocate IP 10.0.0.0: provided IP 10.0.0.0 is not in the valid range/);
    const changed = await kubectl.run(['patch', 'svc', 's', '--type=merge', '-p', '{"spec":{"clusterIP":"10.0.0.200","clusterIPs":["10.0.0.200"]}}']);
    assert.match(changed.stderr, /spec.clusterIPs\[0\]: Invalid value: \["10.0.0.200"\]: field is immutable/);

    await kubectl.ok(['delete', 'svc', 's']);
    const gone = await kubectl.run(['get', 'ipaddress', ip]);
    assert.match(gone.stderr, new RegExp(`ipaddresses.networking.k8s.io "${ip.replace(/\./g, '\\.')}" not found`));
    // The released address can be asked for again.
    await generateOk(['service', 'clusterip', 'again', '--tcp=80:8080', `--clusterip=${ip}`]);
  });

  it('reports kube validation errors for a service without ports', async () => {
    const noPorts = await kubectl.run(['create', '-f', '-', '--validate=false'], {
      input: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: empty\nspec:\n  selector:\n    app: x\n',
    });
    assert.equal(noPorts.stderr.trim(), 'The Service "empty" is invalid: spec.ports: Required value');
    const ips = await kubectl.ok(['get', 'ipaddresses', '-o', 'name']);
    assert.equal(ips.split('\n').filter((l) => l !== '').length, 4, ips);
  });
});
