// A typed client of the storage RPCs for in-cluster controllers: objects in and out as JSON
// values, errors as StatusError. Controllers act as a system user, like kube-controller-manager.

import type { KubeObject, UserInfo } from '@kapi/apimachinery';
import { type Bus, type ResourceRef, StorageRpc, userInfoToMsg } from '@kapi/bus';

export interface ResourceAddress {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ObjectList {
  metadata: { resourceVersion?: string; continue?: string };
  items: KubeObject[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function ref(address: ResourceAddress): ResourceRef {
  return {
    group: address.group,
    version: address.version,
    resource: address.resource,
    namespace: address.namespace ?? '',
    name: address.name ?? '',
    subresource: address.subresource ?? '',
  };
}

const NO_WRITE_OPTIONS = { dryRun: false, fieldManager: 'kapi-controllers', fieldValidation: 'Ignore', force: false };
const NO_DELETE_OPTIONS = { propagationPolicy: 'Background', hasGracePeriodSeconds: false, gracePeriodSeconds: 0, dryRun: false };

export class ApiClient {
  constructor(
    private readonly bus: Bus,
    private readonly user: UserInfo,
    private readonly timeoutMs = 30_000,
  ) {}

  async get(address: ResourceAddress, timeoutMs = this.timeoutMs): Promise<KubeObject> {
    const reply = await this.bus.request(StorageRpc.get, { ref: ref(address), resourceVersion: '' }, { timeoutMs });
    return JSON.parse(decoder.decode(reply.object)) as KubeObject;
  }

  async list(address: ResourceAddress, query: ListQuery = {}): Promise<ObjectList> {
    const reply = await this.bus.request(
      StorageRpc.list,
      {
        ref: ref(address),
        options: {
          labelSelector: query.labelSelector ?? '',
          fieldSelector: query.fieldSelector ?? '',
          limit: query.limit ?? 0,
          continue: query.continue ?? '',
          resourceVersion: '',
          resourceVersionMatch: '',
        },
      },
      { timeoutMs: this.timeoutMs },
    );
    return JSON.parse(decoder.decode(reply.object)) as ObjectList;
  }

  async create(address: ResourceAddress, object: KubeObject, timeoutMs = this.timeoutMs): Promise<KubeObject> {
    const reply = await this.bus.request(
      StorageRpc.create,
      { ref: ref(address), object: encoder.encode(JSON.stringify(object)), options: NO_WRITE_OPTIONS, user: userInfoToMsg(this.user) },
      { timeoutMs },
    );
    return JSON.parse(decoder.decode(reply.object)) as KubeObject;
  }

  async update(address: ResourceAddress, object: KubeObject, timeoutMs = this.timeoutMs): Promise<KubeObject> {
    const reply = await this.bus.request(
      StorageRpc.update,
      { ref: ref(address), object: encoder.encode(JSON.stringify(object)), options: NO_WRITE_OPTIONS, user: userInfoToMsg(this.user) },
      { timeoutMs },
    );
    return JSON.parse(decoder.decode(reply.object)) as KubeObject;
  }

  async deleteCollection(address: ResourceAddress): Promise<ObjectList> {
    const reply = await this.bus.request(
      StorageRpc.deleteCollection,
      {
        ref: ref(address),
        options: NO_DELETE_OPTIONS,
        listOptions: { labelSelector: '', fieldSelector: '', limit: 0, continue: '', resourceVersion: '', resourceVersionMatch: '' },
        user: userInfoToMsg(this.user),
      },
      { timeoutMs: this.timeoutMs },
    );
    return JSON.parse(decoder.decode(reply.object)) as ObjectList;
  }
}
