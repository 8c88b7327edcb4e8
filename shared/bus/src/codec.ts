// Protobuf codecs for the kapi.v1 bus messages (proto/kapi/v1/*.proto, workspace package
// @kapi/proto). The .proto files are parsed once, on first use, with protobufjs; field names
// become lowerCamelCase, the shapes in messages.ts.
//
// Decoding contract (what every receiver can rely on):
//   - every scalar is present (proto3 defaults), int64 arrives as a JS number, enums as strings;
//   - repeated fields are arrays, maps are plain objects, bytes are plain Uint8Arrays;
//   - an absent singular nested message decodes as that message's default object, so
//     `req.ref.namespace` never needs a null check (recursive message types excepted: a field
//     whose type contains itself stays null, or defaults would never end);
//   - bytes fields are views into the input buffer, not copies: receivers own the input buffer.

import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import type { MessageCodec } from './bus.js';

const CONVERSION: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
};

let root: protobuf.Root | undefined;

/** The directory holding `kapi/v1/*.proto` (the @kapi/proto workspace package). */
export function protoDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@kapi/proto/package.json'));
}

/** The protobufjs Root with every kapi/v1 message, parsed on the first call. */
export function protoRoot(): protobuf.Root {
  if (root) return root;
  const dir = protoDir();
  const files = readdirSync(path.join(dir, 'kapi', 'v1'))
    .filter((f) => f.endsWith('.proto'))
    .sort()
    .map((f) => `kapi/v1/${f}`);
  if (files.length === 0) throw new Error(`no .proto files under ${path.join(dir, 'kapi', 'v1')}`);
  const r = new protobuf.Root();
  // Imports are written relative to the proto root ("kapi/v1/common.proto").
  r.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(dir, target));
  r.loadSync(files, { keepCase: false });
  r.resolveAll();
  root = r;
  return r;
}

/** How to fill absent nested messages of one type after toObject. */
interface FillPlan {
  /** Singular message fields: default object when null, else recurse. */
  singles: { name: string; type: protobuf.Type }[];
  /** Repeated and map message fields whose element type itself needs filling. */
  lists: { name: string; type: protobuf.Type }[];
  maps: { name: string; type: protobuf.Type }[];
}

const plans = new Map<protobuf.Type, FillPlan | null>();

/** The fill plan of a type, or null when its decoded objects need no filling. `stack` holds the
 * types being planned, so a recursive field is left alone instead of looping forever. */
function fillPlan(type: protobuf.Type, stack: protobuf.Type[] = []): FillPlan | null {
  const known = plans.get(type);
  if (known !== undefined) return known;
  if (stack.includes(type)) return null;
  stack.push(type);
  const plan: FillPlan = { singles: [], lists: [], maps: [] };
  for (const field of type.fieldsArray) {
    const ft = field.resolvedType;
    if (!(ft instanceof protobuf.Type)) continue;
    if (field.map) {
      if (fillPlan(ft, stack)) plan.maps.push({ name: field.name, type: ft });
    } else if (field.repeated) {
      if (fillPlan(ft, stack)) plan.lists.push({ name: field.name, type: ft });
    } else if (!field.partOf && !stack.includes(ft)) {
      // oneof members stay absent: which member is set is the information.
      plan.singles.push({ name: field.name, type: ft });
    }
  }
  stack.pop();
  const result = plan.singles.length + plan.lists.length + plan.maps.length > 0 ? plan : null;
  plans.set(type, result);
  return result;
}

function defaultObject(type: protobuf.Type): Record<string, unknown> {
  const obj = type.toObject(type.create(), CONVERSION);
  fill(type, obj);
  return obj;
}

function fill(type: protobuf.Type, obj: Record<string, unknown>): void {
  const plan = fillPlan(type);
  if (!plan) return;
  for (const { name, type: ft } of plan.singles) {
    const v = obj[name];
    if (v == null) obj[name] = defaultObject(ft);
    else fill(ft, v as Record<string, unknown>);
  }
  for (const { name, type: ft } of plan.lists) {
    for (const item of obj[name] as Record<string, unknown>[]) fill(ft, item);
  }
  for (const { name, type: ft } of plan.maps) {
    for (const item of Object.values(obj[name] as Record<string, Record<string, unknown>>)) fill(ft, item);
  }
}

/** A plain Uint8Array view of `data` (no copy), so decoded bytes fields are plain Uint8Arrays
 * rather than Buffers whatever the transport handed us. */
export function plainView(data: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(data) === Uint8Array.prototype
    ? data
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A codec for one protobuf message type. Obtain it through protoCodec(). */
export class ProtoCodec<T> implements MessageCodec<T> {
  readonly typeName: string;
  readonly type: protobuf.Type;

  constructor(type: protobuf.Type, typeName: string) {
    this.type = type;
    this.typeName = typeName;
  }

  encode(message: T): Uint8Array {
    return this.encodeTo(message, protobuf.Writer.create()).finish();
  }

  /** Appends the encoded message (without a length prefix) to `writer`; lets an envelope embed
   * the message without encoding it into a buffer of its own first. */
  encodeTo(message: T, writer: protobuf.Writer): protobuf.Writer {
    let msg: protobuf.Message;
    try {
      msg = this.type.fromObject(message as Record<string, unknown>);
    } catch (err) {
      throw new Error(`cannot encode ${this.typeName}: ${(err as Error).message}`);
    }
    return this.type.encode(msg, writer);
  }

  decode(data: Uint8Array): T {
    let msg: protobuf.Message;
    try {
      msg = this.type.decode(plainView(data));
    } catch (err) {
      throw new Error(`cannot decode ${this.typeName} from ${data.byteLength} bytes: ${(err as Error).message}`);
    }
    return this.fromMessage(msg);
  }

  /** The plain object of an already decoded protobufjs message of this type. */
  fromMessage(msg: protobuf.Message): T {
    const obj = this.type.toObject(msg, CONVERSION);
    fill(this.type, obj);
    return obj as T;
  }
}

const codecs = new Map<string, ProtoCodec<unknown>>();

/** The codec of a kapi proto message, e.g. protoCodec<GetRequest>('kapi.v1.GetRequest').
 * Throws at once for a name that is not a message type. One instance per type name. */
export function protoCodec<T>(typeName: string): ProtoCodec<T> {
  const cached = codecs.get(typeName);
  if (cached) return cached as ProtoCodec<T>;
  const r = protoRoot();
  const found = r.lookup(typeName.startsWith('.') ? typeName : `.${typeName}`);
  if (!(found instanceof protobuf.Type)) {
    throw new Error(`unknown protobuf message type ${JSON.stringify(typeName)}; known: ${messageTypeNames().join(', ')}`);
  }
  const codec = new ProtoCodec<T>(found, typeName.replace(/^\./, ''));
  codecs.set(typeName, codec as ProtoCodec<unknown>);
  return codec;
}

/** Fully qualified names of every message type in proto/kapi/v1 (without the leading dot). */
export function messageTypeNames(): string[] {
  const names: string[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) names.push(nested.fullName.slice(1));
      if (nested instanceof protobuf.Namespace) walk(nested);
    }
  };
  walk(protoRoot());
  return names.sort();
}
