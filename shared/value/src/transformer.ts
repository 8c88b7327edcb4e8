// Transformers turn an object's serialized bytes into what is stored in the KV and back: the seam
// where encryption at rest (aescbc, aesgcm, secretbox, KMS v2) plugs in. Contract of
// k8s.io/apiserver/pkg/storage/value.Transformer.

/** What the value belongs to; encrypting transformers bind ciphertext to it (authenticated data). */
export interface TransformContext {
  /** The KV key the value is stored under. */
  key: string;
}

export interface FromStorageResult {
  data: Uint8Array;
  /** True when the value was written with a key or provider that is no longer the write default,
   * so a rewrite would re-encrypt it (kube-apiserver's storage migration signal). */
  stale: boolean;
}

export interface Transformer {
  toStorage(data: Uint8Array, ctx: TransformContext): Promise<Uint8Array>;
  fromStorage(data: Uint8Array, ctx: TransformContext): Promise<FromStorageResult>;
}

/** Stores values as they are. */
export const identityTransformer: Transformer = {
  async toStorage(data) {
    return data;
  },
  async fromStorage(data) {
    return { data, stale: false };
  },
};
