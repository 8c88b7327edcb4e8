// Objects in the KV: JSON bytes passed through the Transformer, resourceVersion taken from the
// KV's modRevision on the way out and stripped on the way in (kube-apiserver's versioner does the
// same, so the stored bytes never carry a stale resourceVersion).

import type { KubeObject } from '@kapi/apimachinery';
import type { KeyValue, KV, RangeOptions } from '@kapi/kv';
import type { Transformer } from '@kapi/value';

export interface StoredObject {
  object: KubeObject;
  /** The KV modRevision: the object's resourceVersion. */
  modRevision: number;
}

export interface CasResult {
  succeeded: boolean;
  /** On success: the new revision (the written object's resourceVersion). On failure: the
   * store's revision. */
  revision: number;
  /** On failure: the current object, or undefined when the key does not exist. */
  current?: StoredObject;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ObjectStore {
  constructor(
    readonly kv: KV,
    private readonly transformer: Transformer,
  ) {}

  /** The bytes stored for an object: JSON without resourceVersion and selfLink. */
  serialize(object: KubeObject): Uint8Array {
    const metadata = object.metadata;
    if (metadata && (metadata.resourceVersion !== undefined || metadata.selfLink !== undefined)) {
      const { resourceVersion: _rv, selfLink: _self, ...rest } = metadata;
      return encoder.encode(JSON.stringify({ ...object, metadata: rest }));
    }
    return encoder.encode(JSON.stringify(object));
  }

  async decode(kv: KeyValue): Promise<StoredObject> {
    const { data } = await this.transformer.fromStorage(kv.value, { key: kv.key });
    const object = JSON.parse(decoder.decode(data)) as KubeObject;
    object.metadata ??= {};
    object.metadata.resourceVersion = String(kv.modRevision);
    return { object, modRevision: kv.modRevision };
  }

  async get(key: string): Promise<{ current: StoredObject | undefined; revision: number }> {
    const { kv, revision } = await this.kv.get(key);
    return { current: kv ? await this.decode(kv) : undefined, revision };
  }

  async range(start: string, opts: RangeOptions): Promise<{ objects: StoredObject[]; keys: string[]; more: boolean; count: number; revision: number }> {
    const result = await this.kv.range(start, opts);
    const objects = await Promise.all(result.kvs.map((kv) => this.decode(kv)));
    return { objects, keys: result.kvs.map((kv) => kv.key), more: result.more, count: result.count, revision: result.revision };
  }

  private async encode(key: string, data: Uint8Array): Promise<Uint8Array> {
    return this.transformer.toStorage(data, { key });
  }

  /** Writes `data` (from serialize) if the key does not exist. */
  async create(key: string, data: Uint8Array): Promise<CasResult> {
    const result = await this.kv.create(key, await this.encode(key, data));
    return this.casResult(result.succeeded, result.kv, result.revision);
  }

  /** Writes `data` if the key still has `expectedModRevision`. */
  async update(key: string, data: Uint8Array, expectedModRevision: number): Promise<CasResult> {
    const result = await this.kv.update(key, await this.encode(key, data), expectedModRevision);
    return this.casResult(result.succeeded, result.kv, result.revision);
  }

  /** Deletes the key if it still has `expectedModRevision`; on success `current` is absent. */
  async delete(key: string, expectedModRevision: number): Promise<CasResult> {
    const result = await this.kv.delete(key, expectedModRevision);
    return this.casResult(result.succeeded, result.kv, result.revision);
  }

  private async casResult(succeeded: boolean, kv: KeyValue | undefined, revision: number): Promise<CasResult> {
    const out: CasResult = { succeeded, revision };
    if (!succeeded && kv) out.current = await this.decode(kv);
    return out;
  }
}
