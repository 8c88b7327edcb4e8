// Every bus subject kapi uses is built here, and nowhere else.
//   RPCs:   kapi.rpc.v1.<service>.<method>        (queue group = service)
//   Events: kapi.evt.v1.watch.<group>.<resource>.<namespace|_>
// The core group is spelled `core`; dots in group names become `_`. Object names never go into a
// subject (they are unbounded, and subjects are routing, not data).

import type { MessageCodec, Rpc } from './bus.js';
import { protoCodec } from './codec.js';
import type {
  AdmissionRequest,
  AdmissionResponse,
  CacheEvent,
  CacheWatchReply,
  CacheWatchRequest,
  CreateRequest,
  DeleteCollectionRequest,
  DeleteRequest,
  GetRequest,
  HealthReply,
  HealthRequest,
  ListRequest,
  ObjectReply,
  PatchRequest,
  UpdateRequest,
} from './messages.js';

export const RPC_PREFIX = 'kapi.rpc.v1';
export const EVENT_PREFIX = 'kapi.evt.v1';

export type ServiceName = 'storage' | 'admission' | 'gateway' | 'controllers' | 'watchcache' | 'cache' | 'aggregator';

export function rpcSubject(service: ServiceName, method: string): string {
  return `${RPC_PREFIX}.${service}.${method}`;
}

/** A subject token for an API group: `core` for "", dots replaced by `_`. */
export function groupToken(group: string): string {
  return group === '' ? 'core' : group.replaceAll('.', '_');
}

/** Watch events of one resource in one namespace (`_` for cluster-scoped resources). */
export function watchSubject(group: string, resource: string, namespace: string): string {
  return `${EVENT_PREFIX}.watch.${groupToken(group)}.${resource}.${namespace === '' ? '_' : namespace}`;
}

/** Every namespace's watch events of one resource (a subscription wildcard). */
export function watchSubjectAllNamespaces(group: string, resource: string): string {
  return `${EVENT_PREFIX}.watch.${groupToken(group)}.${resource}.*`;
}

function rpc<Req, Res>(service: ServiceName, method: string, request: MessageCodec<Req>, response: MessageCodec<Res>): Rpc<Req, Res> {
  return { service, method, subject: rpcSubject(service, method), request, response };
}

const objectReply = protoCodec<ObjectReply>('kapi.v1.ObjectReply');
const healthRequest = protoCodec<HealthRequest>('kapi.v1.HealthRequest');
const healthReply = protoCodec<HealthReply>('kapi.v1.HealthReply');

export const StorageRpc = {
  create: rpc('storage', 'create', protoCodec<CreateRequest>('kapi.v1.CreateRequest'), objectReply),
  get: rpc('storage', 'get', protoCodec<GetRequest>('kapi.v1.GetRequest'), objectReply),
  list: rpc('storage', 'list', protoCodec<ListRequest>('kapi.v1.ListRequest'), objectReply),
  update: rpc('storage', 'update', protoCodec<UpdateRequest>('kapi.v1.UpdateRequest'), objectReply),
  patch: rpc('storage', 'patch', protoCodec<PatchRequest>('kapi.v1.PatchRequest'), objectReply),
  delete: rpc('storage', 'delete', protoCodec<DeleteRequest>('kapi.v1.DeleteRequest'), objectReply),
  deleteCollection: rpc('storage', 'deletecollection', protoCodec<DeleteCollectionRequest>('kapi.v1.DeleteCollectionRequest'), objectReply),
  health: rpc('storage', 'health', healthRequest, healthReply),
} as const;

export const AdmissionRpc = {
  review: rpc('admission', 'review', protoCodec<AdmissionRequest>('kapi.v1.AdmissionRequest'), protoCodec<AdmissionResponse>('kapi.v1.AdmissionResponse')),
  health: rpc('admission', 'health', healthRequest, healthReply),
} as const;

export const ControllersRpc = {
  health: rpc('controllers', 'health', healthRequest, healthReply),
} as const;

/** The watch cache's RPCs, kapi.rpc.v1.cache.<verb> as DESIGN.md names them (queue group
 * "cache": any replica answers). list and get answer an empty ObjectReply (no object bytes) for
 * a read the cache does not serve (Exact resourceVersion, ...): the caller asks storage. */
export const CacheRpc = {
  list: rpc('cache', 'list', protoCodec<ListRequest>('kapi.v1.ListRequest'), objectReply),
  get: rpc('cache', 'get', protoCodec<GetRequest>('kapi.v1.GetRequest'), objectReply),
  watch: rpc('cache', 'watch', protoCodec<CacheWatchRequest>('kapi.v1.CacheWatchRequest'), protoCodec<CacheWatchReply>('kapi.v1.CacheWatchReply')),
  health: rpc('cache', 'health', healthRequest, healthReply),
} as const;

/** The codec of the events on watchSubject(). */
export const cacheEventCodec: MessageCodec<CacheEvent> = protoCodec<CacheEvent>('kapi.v1.CacheEvent');
