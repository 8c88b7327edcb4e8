// OpenAPI v2 as protobuf: the gnostic openapi_v2.Document message (github.com/google/gnostic-models
// openapiv2/OpenAPIv2.proto, package openapi.v2) that kube-openapi's ToProtoBinary produces with
// openapi_v2.ParseDocument + proto.Marshal, and that client-go's OpenAPISchema() decodes.
// Field numbers below are gnostic's. Values gnostic keeps as yaml (vendor extensions, defaults,
// enums, examples) are written as openapi.v2.Any{yaml} holding the value's YAML text.
// proto3 rules: scalar fields at their zero value are omitted; present sub-messages are written.

import { jsonTextToYAML } from './yaml-codec.js';

type JSONObject = Record<string, unknown>;

function isObject(v: unknown): v is JSONObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A protobuf message under construction: its encoded fields in order. */
class Message {
  private readonly parts: Buffer[] = [];
  private size = 0;

  private push(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private varint(n: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(n));
    const bytes: number[] = [];
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.push(Buffer.from(bytes));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(field: number, b: Buffer): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, v: unknown): this {
    if (typeof v === 'string' && v !== '') this.bytes(field, Buffer.from(v, 'utf8'));
    return this;
  }

  strings(field: number, v: unknown): this {
    if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') this.bytes(field, Buffer.from(s, 'utf8'));
    return this;
  }

  bool(field: number, v: unknown): this {
    if (v === true) {
      this.tag(field, 0);
      this.varint(1);
    }
    return this;
  }

  /** A bool member of a oneof: written even when false (the oneof is set). */
  oneofBool(field: number, v: boolean): this {
    this.tag(field, 0);
    this.varint(v ? 1 : 0);
    return this;
  }

  int64(field: number, v: unknown): this {
    if (typeof v === 'number' && Number.isInteger(v) && v !== 0) {
      this.tag(field, 0);
      this.varint(v);
    }
    return this;
  }

  double(field: number, v: unknown): this {
    if (typeof v === 'number' && v !== 0) {
      this.tag(field, 1);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v);
      this.push(b);
    }
    return this;
  }

  message(field: number, m: Message | undefined): this {
    if (m) this.bytes(field, m.finish());
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

/** openapi.v2.Any{yaml}: the value as YAML text, as gnostic's NewAny keeps it. */
function anyValue(v: unknown): Message {
  return new Message().string(2, jsonTextToYAML(JSON.stringify(v) ?? 'null'));
}

/** Vendor extensions ("x-..." keys) as repeated NamedAny{name, value}. */
function extensions(m: Message, field: number, o: JSONObject): void {
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith('x-')) m.message(field, new Message().string(1, k).message(2, anyValue(v)));
  }
}

function externalDocs(v: unknown): Message | undefined {
  if (!isObject(v)) return undefined;
  const m = new Message().string(1, v.description).string(2, v.url);
  extensions(m, 3, v);
  return m;
}

/** openapi.v2.Schema. */
function schema(s: JSONObject): Message {
  const m = new Message()
    .string(1, s.$ref)
    .string(2, s.format)
    .string(3, s.title)
    .string(4, s.description);
  if (s.default !== undefined) m.message(5, anyValue(s.default));
  m.double(6, s.multipleOf)
    .double(7, s.maximum)
    .bool(8, s.exclusiveMaximum)
    .double(9, s.minimum)
    .bool(10, s.exclusiveMinimum)
    .int64(11, s.maxLength)
    .int64(12, s.minLength)
    .string(13, s.pattern)
    .int64(14, s.maxItems)
    .int64(15, s.minItems)
    .bool(16, s.uniqueItems)
    .int64(17, s.maxProperties)
    .int64(18, s.minProperties)
    .strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) m.message(20, anyValue(e));
  if (isObject(s.additionalProperties)) m.message(21, new Message().message(1, schema(s.additionalProperties)));
  else if (typeof s.additionalProperties === 'boolean') m.message(21, new Message().oneofBool(2, s.additionalProperties));
  if (typeof s.type === 'string') m.message(22, new Message().strings(1, [s.type]));
  else if (Array.isArray(s.type)) m.message(22, new Message().strings(1, s.type));
  if (isObject(s.items)) m.message(23, new Message().message(1, schema(s.items)));
  else if (Array.isArray(s.items)) {
    const items = new Message();
    for (const i of s.items) if (isObject(i)) items.message(1, schema(i));
    m.message(23, items);
  }
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObject(a)) m.message(24, schema(a));
  if (isObject(s.properties)) {
    const props = new Message();
    for (const [name, p] of Object.entries(s.properties)) if (isObject(p)) props.message(1, new Message().string(1, name).message(2, schema(p)));
    m.message(25, props);
  }
  m.string(26, s.discriminator).bool(27, s.readOnly);
  m.message(29, externalDocs(s.externalDocs));
  if (s.example !== undefined) m.message(30, anyValue(s.example));
  extensions(m, 31, s);
  return m;
}

/** Field numbers of the non-body parameter sub-schemas: query and formData carry
 * allow_empty_value at 5 and shift the rest by one; header and path do not. */
function nonBodySubSchema(p: JSONObject): Message {
  const withEmpty = p.in === 'query' || p.in === 'formData';
  const o = withEmpty ? 1 : 0;
  const m = new Message().bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name);
  if (withEmpty) m.bool(5, p.allowEmptyValue);
  m.string(5 + o, p.type).string(6 + o, p.format);
  if (isObject(p.items)) m.message(7 + o, primitivesItems(p.items));
  m.string(8 + o, p.collectionFormat);
  if (p.default !== undefined) m.message(9 + o, anyValue(p.default));
  m.double(10 + o, p.maximum)
    .bool(11 + o, p.exclusiveMaximum)
    .double(12 + o, p.minimum)
    .bool(13 + o, p.exclusiveMinimum)
    .int64(14 + o, p.maxLength)
    .int64(15 + o, p.minLength)
    .string(16 + o, p.pattern)
    .int64(17 + o, p.maxItems)
    .int64(18 + o, p.minItems)
    .bool(19 + o, p.uniqueItems);
  if (Array.isArray(p.enum)) for (const e of p.enum) m.message(20 + o, anyValue(e));
  m.double(21 + o, p.multipleOf);
  extensions(m, 22 + o, p);
  return m;
}

/** openapi.v2.PrimitivesItems. */
function primitivesItems(p: JSONObject): Message {
  const m = new Message().string(1, p.type).string(2, p.format);
  if (isObject(p.items)) m.message(3, primitivesItems(p.items));
  m.string(4, p.collectionFormat);
  if (p.default !== undefined) m.message(5, anyValue(p.default));
  m.double(6, p.maximum)
    .bool(7, p.exclusiveMaximum)
    .double(8, p.minimum)
    .bool(9, p.exclusiveMinimum)
    .int64(10, p.maxLength)
    .int64(11, p.minLength)
    .string(12, p.pattern)
    .int64(13, p.maxItems)
    .int64(14, p.minItems)
    .bool(15, p.uniqueItems);
  if (Array.isArray(p.enum)) for (const e of p.enum) m.message(16, anyValue(e));
  m.double(17, p.multipleOf);
  extensions(m, 18, p);
  return m;
}

const NON_BODY_FIELD: Record<string, number> = { header: 1, formData: 2, query: 3, path: 4 };

/** openapi.v2.Parameter (oneof body_parameter | non_body_parameter). */
function parameter(p: JSONObject): Message {
  if (p.in === 'body') {
    const body = new Message().string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required);
    if (isObject(p.schema)) body.message(5, schema(p.schema));
    extensions(body, 6, p);
    return new Message().message(1, body);
  }
  const field = NON_BODY_FIELD[String(p.in)] ?? 3;
  return new Message().message(2, new Message().message(field, nonBodySubSchema(p)));
}

/** openapi.v2.ParametersItem (oneof parameter | json_reference). */
function parametersItem(p: JSONObject): Message {
  if (typeof p.$ref === 'string') return new Message().message(2, new Message().string(1, p.$ref).string(2, p.description));
  return new Message().message(1, parameter(p));
}

function responses(r: JSONObject): Message {
  const m = new Message();
  for (const [code, value] of Object.entries(r)) {
    if (code.startsWith('x-') || !isObject(value)) continue;
    let rv: Message;
    if (typeof value.$ref === 'string') {
      rv = new Message().message(2, new Message().string(1, value.$ref));
    } else {
      const resp = new Message().string(1, value.description);
      if (isObject(value.schema)) resp.message(2, new Message().message(1, schema(value.schema)));
      extensions(resp, 5, value);
      rv = new Message().message(1, resp);
    }
    m.message(1, new Message().string(1, code).message(2, rv));
  }
  extensions(m, 2, r);
  return m;
}

function securityRequirements(m: Message, field: number, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const req of list) {
    if (!isObject(req)) continue;
    const r = new Message();
    for (const [name, scopes] of Object.entries(req)) r.message(1, new Message().string(1, name).message(2, new Message().strings(1, scopes)));
    m.message(field, r);
  }
}

function operation(op: JSONObject): Message {
  const m = new Message()
    .strings(1, op.tags)
    .string(2, op.summary)
    .string(3, op.description)
    .message(4, externalDocs(op.externalDocs))
    .string(5, op.operationId)
    .strings(6, op.produces)
    .strings(7, op.consumes);
  if (Array.isArray(op.parameters)) for (const p of op.parameters) if (isObject(p)) m.message(8, parametersItem(p));
  if (isObject(op.responses)) m.message(9, responses(op.responses));
  m.strings(10, op.schemes).bool(11, op.deprecated);
  securityRequirements(m, 12, op.security);
  extensions(m, 13, op);
  return m;
}

const METHOD_FIELD: [string, number][] = [
  ['get', 2],
  ['put', 3],
  ['post', 4],
  ['delete', 5],
  ['options', 6],
  ['head', 7],
  ['patch', 8],
];

function pathItem(item: JSONObject): Message {
  const m = new Message().string(1, item.$ref);
  for (const [method, field] of METHOD_FIELD) if (isObject(item[method])) m.message(field, operation(item[method]));
  if (Array.isArray(item.parameters)) for (const p of item.parameters) if (isObject(p)) m.message(9, parametersItem(p));
  extensions(m, 10, item);
  return m;
}

function securityDefinition(d: JSONObject): Message {
  switch (d.type) {
    case 'basic': {
      const b = new Message().string(1, d.type).string(2, d.description);
      extensions(b, 3, d);
      return new Message().message(1, b);
    }
    default: {
      // apiKey (the only other kind Kubernetes documents)
      const k = new Message().string(1, d.type).string(2, d.name).string(3, d.in).string(4, d.description);
      extensions(k, 5, d);
      return new Message().message(2, k);
    }
  }
}

/** Encodes an OpenAPI v2 JSON document as openapi.v2.Document. */
export function encodeOpenAPIv2Protobuf(doc: JSONObject): Buffer {
  const m = new Message().string(1, doc.swagger);
  if (isObject(doc.info)) {
    const info = new Message().string(1, doc.info.title).string(2, doc.info.version).string(3, doc.info.description).string(4, doc.info.termsOfService);
    extensions(info, 7, doc.info);
    m.message(2, info);
  }
  m.string(3, doc.host).string(4, doc.basePath).strings(5, doc.schemes).strings(6, doc.consumes).strings(7, doc.produces);
  if (isObject(doc.paths)) {
    const paths = new Message();
    extensions(paths, 1, doc.paths);
    for (const [p, item] of Object.entries(doc.paths)) if (p.startsWith('/') && isObject(item)) paths.message(2, new Message().string(1, p).message(2, pathItem(item)));
    m.message(8, paths);
  }
  if (isObject(doc.definitions)) {
    const defs = new Message();
    for (const [name, s] of Object.entries(doc.definitions)) if (isObject(s)) defs.message(1, new Message().string(1, name).message(2, schema(s)));
    m.message(9, defs);
  }
  if (isObject(doc.parameters)) {
    const params = new Message();
    for (const [name, p] of Object.entries(doc.parameters)) if (isObject(p)) params.message(1, new Message().string(1, name).message(2, parameter(p)));
    m.message(10, params);
  }
  securityRequirements(m, 12, doc.security);
  if (isObject(doc.securityDefinitions)) {
    const defs = new Message();
    for (const [name, d] of Object.entries(doc.securityDefinitions)) if (isObject(d)) defs.message(1, new Message().string(1, name).message(2, securityDefinition(d)));
    m.message(13, defs);
  }
  m.message(15, externalDocs(doc.externalDocs));
  extensions(m, 16, doc);
  return m.finish();
}
