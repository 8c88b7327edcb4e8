// TypeScript shapes of the proto/kapi/v1 messages, as the codecs produce them (protobufjs
// toObject with defaults: every scalar present, int64 as number, bytes as Uint8Array).

export interface StatusCauseMsg {
  reason: string;
  message: string;
  field: string;
}

export interface StatusDetailsMsg {
  name: string;
  group: string;
  kind: string;
  uid: string;
  causes: StatusCauseMsg[];
  retryAfterSeconds: number;
}

export interface StatusMsg {
  status: string;
  message: string;
  reason: string;
  details?: StatusDetailsMsg;
  code: number;
}

export interface UserInfoMsg {
  username: string;
  uid: string;
  groups: string[];
  extra: Record<string, { values: string[] }>;
}

export interface GroupVersionKindMsg {
  group: string;
  version: string;
  kind: string;
}

export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
  namespace: string;
  name: string;
  subresource: string;
}

export interface ObjectReply {
  object: Uint8Array;
  warnings: string[];
  /** HTTP status for the gateway: 201 created, 202 delete pending; 0 = 200. */
  code: number;
  /** Annotations for the request's audit events, from admission. */
  auditAnnotations?: Record<string, string>;
}

export type HealthRequest = Record<string, never>;

export interface HealthCheck {
  name: string;
  ok: boolean;
  message: string;
}

export interface HealthReply {
  service: string;
  instance: string;
  checks: HealthCheck[];
}

export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string;
  fieldValidation: string;
  force: boolean;
}

export interface ListOptions {
  labelSelector: string;
  fieldSelector: string;
  limit: number;
  continue: string;
  resourceVersion: string;
  resourceVersionMatch: string;
}

export interface Preconditions {
  uid: string;
  resourceVersion: string;
}

export interface DeleteOptions {
  preconditions?: Preconditions;
  propagationPolicy: string;
  hasGracePeriodSeconds: boolean;
  gracePeriodSeconds: number;
  dryRun: boolean;
}

export interface CreateRequest {
  ref: ResourceRef;
  object: Uint8Array;
  options: WriteOptions;
  user?: UserInfoMsg;
}

export interface GetRequest {
  ref: ResourceRef;
  resourceVersion: string;
}

export interface ListRequest {
  ref: ResourceRef;
  options: ListOptions;
}

export interface UpdateRequest {
  ref: ResourceRef;
  object: Uint8Array;
  options: WriteOptions;
  user?: UserInfoMsg;
}

export interface PatchRequest {
  ref: ResourceRef;
  patchType: string;
  patch: Uint8Array;
  options: WriteOptions;
  user?: UserInfoMsg;
}

export interface DeleteRequest {
  ref: ResourceRef;
  options: DeleteOptions;
  user?: UserInfoMsg;
}

export interface DeleteCollectionRequest {
  ref: ResourceRef;
  options: DeleteOptions;
  listOptions: ListOptions;
  user?: UserInfoMsg;
}

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT' | string;
  ref: ResourceRef;
  kind: GroupVersionKindMsg;
  object: Uint8Array;
  oldObject: Uint8Array;
  dryRun: boolean;
  fieldValidation: string;
  user?: UserInfoMsg;
}

export interface AdmissionResponse {
  object: Uint8Array;
  warnings: string[];
  auditAnnotations?: Record<string, string>;
}

/** What a watch cache publishes: a change of one object, or a progress mark (watch.proto). */
export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'PROGRESS' | string;
  revision: number;
  prevRevision: number;
  namespace: string;
  object: Uint8Array;
  prevObject: Uint8Array;
  key: string;
}

export interface CacheWatchRequest {
  ref: ResourceRef;
  mode: 'events' | 'state' | string;
  afterRevision: number;
  minRevision: number;
  consistent: boolean;
  labelSelector: string;
  fieldSelector: string;
  fromKey: string;
  atRevision: number;
  notOlderThan: number;
}

export interface CacheWatchReply {
  revision: number;
  events: CacheEvent[];
  nextKey: string;
}
