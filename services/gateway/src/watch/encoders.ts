// Watch stream encoders: how one event becomes bytes on the wire (kube's watchEncoder with its
// embedded encoder and framer). Each is one more implementation of WatchFrameEncoder:
//   JSON     one `{"type":"ADDED","object":{...}}\n` per event (json.Encoder's newline framing);
//   Table    the object converted to a meta.k8s.io Table (kubectl get -w); column definitions on
//            the first event only, `null` afterwards (watchEmbeddedEncoder sets NoHeaders after
//            the first object);
//   PartialObjectMetadata, for metadata-only informers.
// Status objects (ERROR events) are never converted (doTransformObject).
//   Protobuf (`application/vnd.kubernetes.protobuf;stream=watch`): each event a length-prefixed
//            metav1.WatchEvent whose object is the `k8s\0`-enveloped object; also for
//            PartialObjectMetadata, which has a proto message (Table has none: kube answers 406).

import type { WatchEventType } from './session.js';
import { encodeProtobufWatchEvent, PROTOBUF_WATCH_CONTENT_TYPE } from '../protobuf.js';
import { buildTable, partialObjectMetadata, type ColumnProvider, type IncludeObject } from '../table.js';

export interface WatchFrameEncoder {
  /** The response Content-Type. */
  readonly contentType: string;
  /** One framed event. `object` is the JSON of the object (or of a Status for ERROR). */
  encode(type: WatchEventType, object: Uint8Array): Buffer;
}

const decoder = new TextDecoder();

function frame(type: WatchEventType, objectJSON: Uint8Array | string): Buffer {
  const head = Buffer.from(`{"type":"${type}","object":`);
  const body = typeof objectJSON === 'string' ? Buffer.from(objectJSON) : Buffer.from(objectJSON.buffer, objectJSON.byteOffset, objectJSON.byteLength);
  return Buffer.concat([head, body, Buffer.from('}\n')]);
}

/** Frames shared by every JSON watcher that sends the same event: encoded once (kube's
 * CacheableObject serialization cache), so a gateway with many watchers holds each once. */
const sharedFrames = new WeakMap<Uint8Array, Map<WatchEventType, Buffer>>();

export const JSON_WATCH_ENCODER: WatchFrameEncoder = {
  contentType: 'application/json',
  encode(type, object) {
    let byType = sharedFrames.get(object);
    if (!byType) {
      byType = new Map();
      sharedFrames.set(object, byType);
    }
    let framed = byType.get(type);
    if (!framed) {
      framed = frame(type, object);
      byType.set(type, framed);
    }
    return framed;
  },
};

function isStatus(value: Record<string, unknown>): boolean {
  return value.kind === 'Status' && (value.apiVersion === 'v1' || value.apiVersion === 'meta.k8s.io/v1');
}

/** A Table watch (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). */
export function tableWatchEncoder(provider: ColumnProvider, includeObject: IncludeObject, metaVersion: string, now: () => number): WatchFrameEncoder {
  let headersSent = false;
  return {
    contentType: 'application/json',
    encode(type, object) {
      const value = JSON.parse(decoder.decode(object)) as Record<string, unknown>;
      if (isStatus(value)) return frame(type, object);
      const table = buildTable(value, provider, includeObject, metaVersion, now());
      if (headersSent) table.columnDefinitions = null;
      headersSent = true;
      return frame(type, JSON.stringify(table));
    },
  };
}

/** A PartialObjectMetadata watch. */
export function partialMetadataWatchEncoder(metaVersion: string): WatchFrameEncoder {
  return {
    contentType: 'application/json',
    encode(type, object) {
      const value = JSON.parse(decoder.decode(object)) as Record<string, unknown>;
      if (isStatus(value)) return frame(type, object);
      return frame(type, JSON.stringify(partialObjectMetadata(value, metaVersion)));
    },
  };
}

/** Protobuf frames shared by every protobuf watcher of the same event, like the JSON ones. */
const sharedProtobufFrames = new WeakMap<Uint8Array, Map<WatchEventType, Buffer>>();

export const PROTOBUF_WATCH_ENCODER: WatchFrameEncoder = {
  contentType: PROTOBUF_WATCH_CONTENT_TYPE,
  encode(type, object) {
    let byType = sharedProtobufFrames.get(object);
    if (!byType) {
      byType = new Map();
      sharedProtobufFrames.set(object, byType);
    }
    let framed = byType.get(type);
    if (!framed) {
      framed = encodeProtobufWatchEvent(type, object);
      byType.set(type, framed);
    }
    return framed;
  },
};

/** A PartialObjectMetadata watch in protobuf. */
export function protobufPartialMetadataWatchEncoder(metaVersion: string): WatchFrameEncoder {
  return {
    contentType: PROTOBUF_WATCH_CONTENT_TYPE,
    encode(type, object) {
      const value = JSON.parse(decoder.decode(object)) as Record<string, unknown>;
      return encodeProtobufWatchEvent(type, isStatus(value) ? value : partialObjectMetadata(value, metaVersion));
    },
  };
}
