// The subset of etcd's API that kapi needs. Every driver (etcd3, sqlite, memory) implements it
// with etcd's semantics; one conformance suite (shared/testing) holds them to it.
//
// Revisions are etcd's: one cluster-wide counter, bumped by every successful write. A key's
// modRevision is the revision of its last write; createRevision the revision that created it.

export interface KeyValue {
  key: string;
  /** The caller's own copy (drivers never hand out views of their internal state). */
  value: Uint8Array;
  createRevision: number;
  modRevision: number;
  /** Number of writes since the key was (re)created; 1 after create. */
  version: number;
}

export interface RangeOptions {
  /** Exclusive end of the range; omitted = the single key `start`. Use prefixEnd() for prefixes. */
  end?: string;
  /** Maximum number of kvs to return; 0/omitted = unlimited. */
  limit?: number;
  /** Read at this revision; 0/omitted = current. Older than the compacted revision -> Compacted. */
  revision?: number;
  keysOnly?: boolean;
  countOnly?: boolean;
}

export interface RangeResult {
  /** Sorted by key ascending. */
  kvs: KeyValue[];
  /** True when `limit` cut the result short. */
  more: boolean;
  /** Number of keys in the whole range at that revision (ignoring limit). */
  count: number;
  /** The revision the read was served at: `revision` when one was asked for, otherwise the
   * store's current revision (etcd's header revision). */
  revision: number;
}

/** Outcome of a compare-and-swap write. */
export interface TxnResult {
  succeeded: boolean;
  /** Header revision: the new revision on success, the current store revision on failure. */
  revision: number;
  /** On success: the kv as written (for deletes: absent). On failure: the current kv, or
   * undefined when the key does not exist. */
  kv?: KeyValue;
  /** On a successful update or delete: the kv that was replaced. */
  prevKv?: KeyValue;
}

export type WatchEvent =
  | { type: 'put'; kv: KeyValue; prevKv?: KeyValue }
  /** kv.value is empty and kv.modRevision is the revision of the delete; as in etcd,
   * kv.createRevision and kv.version are 0 (the deleted kv is prevKv). */
  | { type: 'delete'; kv: KeyValue; prevKv?: KeyValue };

/** Callbacks run on the event loop, one at a time; none is called after Watch.close() resolved.
 * A callback that throws ends the watch (onError with code Closed). */
export interface WatchHandler {
  /** Events in revision order; one call carries the events of one or more revisions, never a
   * part of one revision. No event is delivered twice or skipped, also across reconnects. */
  onEvents(events: WatchEvent[]): void;
  /** The store has sent everything up to `revision` (a progress notification): the next event
   * has a higher revision, so a watch resumed from revision + 1 misses nothing. */
  onProgress?(revision: number): void;
  /** The watch ended (Compacted when fromRevision is compacted away; Unavailable on loss;
   * Closed when the KV was closed). Nothing follows it. */
  onError(err: KVError): void;
}

export interface Watch {
  /** Ask the store to send a progress notification now (etcd: RequestProgress); it arrives
   * through onProgress after every event up to its revision. Drivers that cannot (etcd older
   * than 3.4.31 / 3.5.13, whose answer can overtake events) resolve with false. */
  requestProgress(): Promise<boolean>;
  close(): Promise<void>;
}

/** Errors are KVError for the store's conditions below. Writes whose key + value exceed the
 * store's request limit (etcd's --max-request-bytes, 1.5 MiB by default) fail with TooLarge and
 * change nothing. Reads at a revision below the compacted one fail with Compacted, above the
 * current one with FutureRevision. Every method but close() fails with Closed after close().
 * A write is applied at most once, and a result always tells its real outcome: a write whose
 * outcome the driver cannot establish (the store went away while it was in flight) fails with
 * Unavailable or Timeout, and may or may not have been applied; it is never reported as a
 * failed compare because of the driver's own earlier attempt. */
export interface KV {
  readonly driver: 'etcd3' | 'sqlite' | 'memory';

  get(key: string, opts?: { revision?: number }): Promise<{ kv: KeyValue | undefined; revision: number }>;

  range(start: string, opts?: RangeOptions): Promise<RangeResult>;

  /** Succeeds iff the key does not exist (etcd: compare mod_revision = 0). */
  create(key: string, value: Uint8Array): Promise<TxnResult>;

  /** Succeeds iff the key exists with modRevision === expectedModRevision. */
  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<TxnResult>;

  /** Deletes the key; with expectedModRevision, only if it still has that modRevision.
   * Fails (succeeded false, kv undefined) when the key does not exist. */
  delete(key: string, expectedModRevision?: number): Promise<TxnResult>;

  /** Watches every key with `prefix`, delivering each change with modRevision >= fromRevision
   * (0 = from now: every change after the current revision). prevKv is always filled where the
   * store still has it. Resolves once the watch is established; a fromRevision that is already
   * compacted away is reported through handler.onError (Compacted), as etcd does. A
   * fromRevision in the future is allowed: delivery starts when the store reaches it. */
  watch(prefix: string, fromRevision: number, handler: WatchHandler): Promise<Watch>;

  /** Discards history before `revision`; reads and watches below it fail with Compacted. The
   * latest value of every key is kept. Compacting at or below the compacted revision fails with
   * Compacted, above the current revision with FutureRevision. */
  compact(revision: number): Promise<void>;

  /** The store's current revision. */
  currentRevision(): Promise<number>;

  /** The revision history is compacted to (0 if never). */
  compactedRevision(): Promise<number>;

  close(): Promise<void>;
}

export type KVErrorCode = 'Compacted' | 'FutureRevision' | 'Unavailable' | 'Timeout' | 'Closed' | 'TooLarge';

export class KVError extends Error {
  readonly code: KVErrorCode;
  /** For Compacted: the compacted revision. */
  readonly compactRevision?: number;

  constructor(code: KVErrorCode, message: string, compactRevision?: number) {
    super(message);
    this.name = 'KVError';
    this.code = code;
    if (compactRevision !== undefined) this.compactRevision = compactRevision;
  }
}

/** The smallest key greater than every key that starts with `prefix` (etcd's GetPrefixRangeEnd).
 * kapi keys are ASCII (/registry/... with DNS names), so bumping the last code unit is etcd's
 * byte rule. */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\0';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
