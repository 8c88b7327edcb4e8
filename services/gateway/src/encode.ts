// Object serialization as kube-apiserver writes responses:
//  - JSON: Go's json.Encoder (compact, HTML-safe escapes, trailing newline); with pretty output
//    json.MarshalIndent (two spaces, no trailing newline).
//  - YAML: sigs.k8s.io/yaml's JSONToYAML (keys sorted, block sequences not indented under their
//    key, YAML 1.1 quoting of strings such as "yes" and "on").
// Objects from storage arrive as JSON bytes in kube's field order; when nothing needs to change
// they are passed through without parsing.

import { jsonTextToYAML } from './yaml-codec.js';

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON text as Go's encoding/json writes it (HTML-safe). Key order is insertion order: the
 * gateway builds objects in kube's struct field order, and objects from storage keep theirs.
 * The characters escaped here can only occur inside JSON strings, so a textual pass is safe.
 */
export function goJSON(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent);
  if (text === undefined) return 'null';
  return /[<>&\u2028\u2029]/.test(text) ? text.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!) : text;
}

/** json.Encoder output: compact JSON and a newline. */
export function encodeJSONCompact(value: unknown): string {
  return goJSON(value) + '\n';
}

/** json.MarshalIndent(v, "", "  "). */
export function encodeJSONPretty(value: unknown): string {
  return goJSON(value, 2);
}

/** sigs.k8s.io/yaml JSONToYAML of the object's JSON form (inline; large values go through
 * YAMLOffload instead). */
export function encodeYAML(value: unknown): string {
  return jsonTextToYAML(JSON.stringify(value) ?? 'null');
}

/** The kind of output a negotiated response is written in. */
export type OutputFormat = 'json' | 'json-pretty' | 'yaml';

/** Encodes a value for the response. */
export function encodeValue(value: unknown, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return encodeJSONCompact(value);
    case 'json-pretty':
      return encodeJSONPretty(value);
    case 'yaml':
      return encodeYAML(value);
  }
}

const NEWLINE = Buffer.from('\n');

/**
 * Encodes JSON bytes produced by storage. Compact JSON passes through untouched (plus the
 * newline json.Encoder ends with); other formats parse it first.
 */
export function encodeJSONBytes(bytes: Uint8Array, format: OutputFormat): Buffer | string {
  if (format === 'json') {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return buf.length > 0 && buf[buf.length - 1] === 0x0a ? buf : Buffer.concat([buf, NEWLINE]);
  }
  return encodeValue(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')), format);
}
