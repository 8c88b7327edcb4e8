// Writing responses the way kube-apiserver's responsewriters do: negotiated objects
// (WriteObjectNegotiated / SerializeObject, with gzip above 128 KiB when the client accepts it),
// Status errors (ErrorNegotiated), raw indented JSON (WriteRawJSON) and plain-text errors
// (Go's http.Error).

import { promisify } from 'node:util';
import { gzip as gzipCallback, constants as zlibConstants } from 'node:zlib';
import { type Status, StatusError, toStatusError } from '@kapi/apimachinery';
import type { RequestContext } from './context.js';
import { encodeJSONBytes, encodeJSONPretty, encodeValue, type OutputFormat } from './encode.js';
import {
  DEFAULT_ENDPOINT_RESTRICTIONS,
  YAML_MEDIA_TYPE,
  isPrettyPrint,
  negotiateMediaTypeOptions,
  type SerializerInfo,
} from './negotiation.js';
import { statusWireObject } from './status.js';
import { encodeProtobufResponse, isProtobuf, SERIALIZERS_WITH_PROTOBUF } from './protobuf.js';
import type { YAMLOffload } from './yaml-offload.js';

const gzip = promisify(gzipCallback);

/** Responses larger than this are gzipped for clients that accept it (kube's threshold). */
export const GZIP_THRESHOLD_BYTES = 128 * 1024;

/** The negotiated way of writing one response. */
export interface OutputChoice {
  serializer: SerializerInfo;
  pretty: boolean;
  /** Content-Type to write instead of the serializer's media type (aggregated discovery lists
   * the GVK in it: generateMediaTypeWithGVK). */
  contentType?: string;
}

export function outputFormat(choice: OutputChoice): OutputFormat {
  if (choice.serializer.mediaType === YAML_MEDIA_TYPE) return 'yaml';
  return choice.pretty ? 'json-pretty' : 'json';
}

/** negotiateContentEncoding: "gzip" as one of the comma-separated tokens (no q-values). */
function acceptsGzip(ctx: RequestContext): boolean {
  const header = ctx.header('accept-encoding');
  if (header.length === 0) return false;
  return header.split(',').some((t) => t.trim() === 'gzip');
}

/** The body of an object response: a JS value to encode, or JSON bytes from storage. */
export type ObjectPayload = { value: unknown } | { json: Uint8Array };

/** SerializeObject: writes the payload in the negotiated format with the given status code. */
export async function writeObject(
  ctx: RequestContext,
  code: number,
  payload: ObjectPayload,
  choice: OutputChoice,
  yaml: YAMLOffload,
): Promise<void> {
  const format = outputFormat(choice);
  let body: Buffer | string;
  if (isProtobuf(choice.serializer)) {
    body = encodeProtobufResponse(protobufSource(payload), 'json' in payload ? payload.json.length + 64 : undefined);
  } else if (format === 'yaml') {
    const json = 'json' in payload ? Buffer.from(payload.json.buffer, payload.json.byteOffset, payload.json.byteLength).toString('utf8') : JSON.stringify(payload.value);
    body = await yaml.toYAML(json, ctx.abort.signal);
  } else {
    body = 'json' in payload ? encodeJSONBytes(payload.json, format) : encodeValue(payload.value, format);
  }
  const headers: Record<string, string> = { 'Content-Type': choice.contentType ?? choice.serializer.mediaType };
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > GZIP_THRESHOLD_BYTES && acceptsGzip(ctx)) {
    body = await gzip(body, { level: 1, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
    headers['Content-Encoding'] = 'gzip';
    ctx.responseHeaders.add('Vary', 'Accept-Encoding');
  }
  ctx.send(code, body, headers);
}

/** The object a protobuf response encodes: storage's JSON bytes parsed, or the value itself. */
function protobufSource(payload: ObjectPayload): Record<string, unknown> {
  const value: unknown =
    'json' in payload ? JSON.parse(Buffer.from(payload.json.buffer, payload.json.byteOffset, payload.json.byteLength).toString('utf8')) : payload.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('protobuf response: the object is not a JSON object');
  return value as Record<string, unknown>;
}

/** responsewriters.WriteRawJSON: indented JSON, application/json, whatever the Accept says. */
export function writeRawJSON(ctx: RequestContext, code: number, value: unknown): void {
  ctx.send(code, encodeJSONPretty(value), { 'Content-Type': 'application/json' });
}

/** Go's http.Error: text/plain, nosniff, the text and a newline. */
export function writeHTTPError(ctx: RequestContext, code: number, text: string): void {
  ctx.responseHeaders.delete('Content-Length');
  ctx.send(code, text + '\n', { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
}

/** Plain text as kube's handlers write it with fmt.Fprint (Go sniffs text/plain). */
export function writeText(ctx: RequestContext, code: number, text: string, extra: Record<string, string> = {}): void {
  ctx.send(code, text, { 'Content-Type': 'text/plain; charset=utf-8', ...extra });
}

/**
 * responsewriters.ErrorNegotiated: the Status in the format the client accepts (JSON or YAML,
 * pretty for curl and browsers), or indented JSON when it accepts neither; Retry-After when the
 * Status asks for a delay.
 */
export function writeStatus(ctx: RequestContext, status: Status): void {
  const code = status.code || (status.status === 'Success' ? 200 : 500);
  const retryAfter = status.details?.retryAfterSeconds ?? 0;
  if (retryAfter > 0) ctx.responseHeaders.set('Retry-After', String(Math.trunc(retryAfter)));
  if (code === 204) {
    ctx.send(code, '');
    return;
  }
  const wire = statusWireObject({ ...status, code });
  const options = negotiateMediaTypeOptions(ctx.header('accept'), SERIALIZERS_WITH_PROTOBUF, DEFAULT_ENDPOINT_RESTRICTIONS);
  if (!options) {
    writeRawJSON(ctx, code, wire);
    return;
  }
  const pretty = options.pretty || isPrettyPrint(ctx.query, ctx.header('user-agent'));
  const format = outputFormat({ serializer: options.accepted, pretty });
  const body = isProtobuf(options.accepted) ? encodeProtobufResponse(wire as unknown as Record<string, unknown>) : encodeValue(wire, format);
  ctx.send(code, body, { 'Content-Type': options.accepted.mediaType });
}

/** Anything thrown by a handler, written as a Status (non-Status errors become InternalError). */
export function writeError(ctx: RequestContext, err: unknown): void {
  const statusError: StatusError = toStatusError(err);
  writeStatus(ctx, statusError.status);
}
