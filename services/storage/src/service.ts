// The storage service: serves the StorageRpc methods on the bus (queue group "storage") with the
// generic registry over a KV. Any number of replicas may serve the same KV.

import { hostname } from 'node:os';
import { type KubeObject, newBadRequest, newNotFound, type Status, withDeadline } from '@kapi/apimachinery';
import {
  type Bus,
  type DeleteOptions as DeleteOptionsMsg,
  type ListOptions as ListOptionsMsg,
  type ObjectReply,
  type ResourceRef,
  type Rpc,
  StorageRpc,
  type Subscription,
  type UserInfoMsg,
  userInfoFromMsg,
  type WriteOptions as WriteOptionsMsg,
} from '@kapi/bus';
import { type KV, startCompactor } from '@kapi/kv';
import { builtinCatalogue, type Catalogue } from '@kapi/schema';
import { identityTransformer, type Transformer } from '@kapi/value';
import { type Admitter, BusAdmitter } from './admitter.js';
import type { ListRequestOptions } from './list.js';
import { translatingKVErrors } from './kv-errors.js';
import { ObjectStore } from './object-store.js';
import { type DeleteOptions, Registry, type RequestScope, type WriteOptions, type WriteResult } from './registry.js';
import { rbacEscalationHooks } from './rbac-escalation.js';
import { composeWriteHooks } from './write-hooks.js';
import { serviceAllocation, startServiceAllocationRepair } from './service-allocation/index.js';
import { ServiceAccountTokenIssuer, type ServiceAccountTokenOptions } from './serviceaccount-token.js';

export interface StorageServiceOptions {
  bus: Bus;
  kv: KV;
  transformer?: Transformer;
  catalogue?: Catalogue;
  /** Defaults to admission over the bus. */
  admitter?: Admitter;
  instance?: string;
  /** How often history is compacted (kube-apiserver: 5 minutes); 0 disables. */
  compactionIntervalMs?: number;
  /** Health: how long the KV may take to answer before the check fails. */
  healthTimeoutMs?: number;
  /** How many bytes a JSON patch's copy operations may add in total (default 3 MiB, kube's
   * JSONPatchMaxCopyBytes). */
  jsonPatchMaxCopyBytes?: number;
  /** --service-cluster-ip-range (default 10.0.0.0/24; a second CIDR of the other family makes
   * the cluster dual-stack). */
  serviceClusterIPRange?: string;
  /** --service-node-port-range (default 30000-32767). */
  serviceNodePortRange?: string;
  /** How often leaked cluster IPs and node ports are repaired (kube: 3 minutes); 0 disables. */
  serviceRepairIntervalMs?: number;
  /** Signs TokenRequests (serviceaccounts/<name>/token); without it the subresource is not served. */
  serviceAccountTokens?: ServiceAccountTokenOptions;
}

export interface StorageService {
  registry: Registry;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function reply(result: WriteResult | KubeObject | Status): ObjectReply {
  if ('code' in result && 'warnings' in result && 'object' in result) {
    const write = result as WriteResult;
    return {
      object: encoder.encode(JSON.stringify(write.object)),
      warnings: write.warnings,
      code: write.code === 200 ? 0 : write.code,
      ...(write.auditAnnotations && Object.keys(write.auditAnnotations).length > 0 ? { auditAnnotations: write.auditAnnotations } : {}),
    };
  }
  return { object: encoder.encode(JSON.stringify(result)), warnings: [], code: 0 };
}

function parseBody(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch (err) {
    throw newBadRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

function writeOptions(msg: WriteOptionsMsg): WriteOptions {
  return { dryRun: msg.dryRun, fieldManager: msg.fieldManager, fieldValidation: msg.fieldValidation, force: msg.force };
}

function listOptions(msg: ListOptionsMsg): ListRequestOptions {
  return {
    labelSelector: msg.labelSelector,
    fieldSelector: msg.fieldSelector,
    limit: msg.limit,
    continue: msg.continue,
    resourceVersion: msg.resourceVersion,
    resourceVersionMatch: msg.resourceVersionMatch,
  };
}

function deleteOptions(msg: DeleteOptionsMsg): DeleteOptions {
  const options: DeleteOptions = { dryRun: msg.dryRun };
  if (msg.preconditions) options.preconditions = { uid: msg.preconditions.uid, resourceVersion: msg.preconditions.resourceVersion };
  if (msg.propagationPolicy) options.propagationPolicy = msg.propagationPolicy;
  if (msg.hasGracePeriodSeconds) options.gracePeriodSeconds = msg.gracePeriodSeconds;
  return options;
}

export async function startStorage(opts: StorageServiceOptions): Promise<StorageService> {
  const catalogue = opts.catalogue ?? builtinCatalogue();
  const store = new ObjectStore(opts.kv, opts.transformer ?? identityTransformer);
  const services = serviceAllocation({ store, catalogue, serviceClusterIPRange: opts.serviceClusterIPRange, serviceNodePortRange: opts.serviceNodePortRange });
  const registry = new Registry({
    store,
    catalogue,
    admitter: opts.admitter ?? new BusAdmitter(opts.bus),
    jsonPatchMaxCopyBytes: opts.jsonPatchMaxCopyBytes,
    writeHooks: composeWriteHooks(services.writeHooks, rbacEscalationHooks({ store, catalogue })),
  });
  const instance = opts.instance ?? `${hostname()}-${process.pid}`;
  const healthTimeoutMs = opts.healthTimeoutMs ?? 5_000;

  const scopeOf = (ref: ResourceRef, user: UserInfoMsg | undefined): RequestScope => {
    const info = catalogue.lookup(ref.group, ref.version, ref.resource);
    if (!info) throw newNotFound({ group: ref.group, resource: ref.resource }, '');
    return { info, namespace: info.namespaced ? ref.namespace : '', name: ref.name, subresource: ref.subresource, user: userInfoFromMsg(user) };
  };

  const tokenIssuer = opts.serviceAccountTokens ? new ServiceAccountTokenIssuer(opts.serviceAccountTokens) : undefined;
  /** POST serviceaccounts/<name>/token: signed by storage, nothing stored. */
  const createOrToken = async (scope: RequestScope, body: unknown, options: WriteOptions): Promise<WriteResult> => {
    if (!(tokenIssuer && scope.info.group === '' && scope.info.resource === 'serviceaccounts' && scope.subresource === 'token')) {
      return registry.create(scope, body, options);
    }
    const lookup = (resource: string, namespace: string, name: string): Promise<KubeObject> => {
      const info = catalogue.lookup('', 'v1', resource)!;
      return registry.get({ info, namespace: info.namespaced ? namespace : '', name, subresource: '', user: scope.user });
    };
    const { object, warnings } = await tokenIssuer.create(scope.namespace, scope.name, body, lookup);
    return { object, warnings, code: 201 };
  };
  const bus = opts.bus;
  /** Serves one storage RPC whose KV errors reach the caller as Statuses. */
  const serve = <Req>(rpc: Rpc<Req, ObjectReply>, handle: (req: Req) => Promise<WriteResult | KubeObject | Status>): Promise<Subscription> =>
    bus.serve(rpc, async (req) => reply(await translatingKVErrors(() => handle(req))));
  const subscriptions: Subscription[] = await Promise.all([
    serve(StorageRpc.create, (req) => createOrToken(scopeOf(req.ref, req.user), parseBody(req.object), writeOptions(req.options))),
    serve(StorageRpc.get, (req) => registry.get(scopeOf(req.ref, undefined), { resourceVersion: req.resourceVersion })),
    serve(StorageRpc.list, (req) => registry.list(scopeOf(req.ref, undefined), listOptions(req.options))),
    serve(StorageRpc.update, (req) => registry.update(scopeOf(req.ref, req.user), parseBody(req.object), writeOptions(req.options))),
    serve(StorageRpc.patch, (req) => registry.patch(scopeOf(req.ref, req.user), req.patchType, req.patch, writeOptions(req.options))),
    serve(StorageRpc.delete, (req) => registry.delete(scopeOf(req.ref, req.user), deleteOptions(req.options))),
    serve(StorageRpc.deleteCollection, (req) =>
      registry.deleteCollection(scopeOf(req.ref, req.user), deleteOptions(req.options), listOptions(req.listOptions)),
    ),
    bus.serve(StorageRpc.health, async () => {
      let check = { name: 'etcd', ok: true, message: '' };
      try {
        await withDeadline(opts.kv.currentRevision(), healthTimeoutMs, () => new Error(`no answer in ${healthTimeoutMs}ms`));
      } catch (err) {
        check = { name: 'etcd', ok: false, message: (err as Error).message };
      }
      return { service: 'storage', instance, checks: [check] };
    }),
  ]);

  const repairIntervalMs = opts.serviceRepairIntervalMs ?? 3 * 60_000;
  const repair = repairIntervalMs > 0 ? startServiceAllocationRepair(services.repair, repairIntervalMs) : undefined;
  const compactor = (opts.compactionIntervalMs ?? 5 * 60_000) > 0 ? startCompactor(opts.kv, { intervalMs: opts.compactionIntervalMs ?? 5 * 60_000 }) : undefined;

  return {
    registry,
    async close() {
      // Stop compacting (waiting for a running compaction) and serving, together.
      await Promise.all([compactor?.stop(), repair?.stop(), ...subscriptions.map((s) => s.close())]);
    },
  };
}
