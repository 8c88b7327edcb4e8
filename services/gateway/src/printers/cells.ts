// Cell helpers shared by the per-type printers: tolerant readers of decoded JSON (a printer never
// throws on a missing field or a value of the wrong type; it prints what kube's printer prints for
// the Go zero value) and the formatting functions kube's printers.go shares between types.

import { compareGoStrings, selectorFromLabelSelector, type LabelSelector } from '@kapi/apimachinery';
import { ageCell, humanDuration } from '../table.js';

export type Obj = Record<string, unknown>;

const EMPTY: Obj = Object.freeze({}) as Obj;

/** The value as an object, or an empty object (Go's zero struct). */
export function rec(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : EMPTY;
}

/** rec(value) or undefined: a Go pointer to a struct, nil when absent or not an object. */
export function optRec(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

/** The value as an array (non-arrays are an empty slice). */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The objects of an array; other elements read as zero structs. */
export function recs(value: unknown): Obj[] {
  return arr(value).map(rec);
}

/** A string field ("" for anything else, as a zero Go string). */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A string pointer: undefined unless the field holds a string. */
export function optStr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** An integer field (0 for anything else); fractions are truncated as a Go integer would hold. */
export function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

/** An integer pointer: undefined unless the field holds a number. */
export function optInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
}

/** A boolean field (false unless true). */
export function bool(value: unknown): boolean {
  return value === true;
}

/** A bool pointer: undefined unless the field holds a boolean. */
export function optBool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Number of keys of a map field (len() of a Go map; 0 when absent). */
export function mapSize(value: unknown): number {
  return Object.keys(rec(value)).length;
}

export function metadata(object: Obj): Obj {
  return rec(object.metadata);
}

export function nameOf(object: Obj): string {
  return str(metadata(object).name);
}

/** translateTimestampSince(obj.CreationTimestamp). */
export function ageOf(object: Obj, now: number): string {
  return ageCell(metadata(object).creationTimestamp, now);
}

/** translateTimestampSince / translateMicroTimestampSince of any timestamp field. */
export function since(timestamp: unknown, now: number): string {
  return ageCell(timestamp, now);
}

/** Go's zero time.Time (0001-01-01T00:00:00Z): what metav1.Time.IsZero reports, with unset. */
const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** The instant of a metav1.Time / MicroTime field in ms, or undefined when unset or zero. */
export function timeOf(timestamp: unknown): number | undefined {
  if (typeof timestamp !== 'string' || timestamp === '') return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) || t <= ZERO_TIME ? undefined : t;
}

/** ObjectMeta.DeletionTimestamp != nil. */
export function isDeleting(object: Obj): boolean {
  const ts = metadata(object).deletionTimestamp;
  return ts !== undefined && ts !== null;
}

/** duration.HumanDuration of a span in ms. */
export function spanCell(ms: number): string {
  return humanDuration(ms);
}

/** layoutContainerCells: container names and images, comma separated. */
export function containerCells(containers: unknown): [names: string, images: string] {
  const list = recs(containers);
  return [list.map((c) => str(c.name)).join(','), list.map((c) => str(c.image)).join(',')];
}

/** The containers of a pod template (`template.spec.containers`). */
export function templateContainers(template: unknown): unknown {
  return rec(rec(template).spec).containers;
}

/** labels.Set(m).String(): "k=v" pairs sorted by key, comma separated. */
export function labelsString(labels: unknown): string {
  return Object.entries(rec(labels))
    .sort(([a], [b]) => compareGoStrings(a, b))
    .map(([k, v]) => `${k}=${str(v)}`)
    .join(',');
}

/** labels.FormatLabels: labelsString, "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  return labelsString(labels) || '<none>';
}

/** LabelSelectorAsSelector(...).String(), or undefined when the selector does not parse. */
export function selectorString(selector: unknown): string | undefined {
  if (selector === undefined || selector === null) return '';
  try {
    return selectorFromLabelSelector(rec(selector) as unknown as LabelSelector).toString();
  } catch {
    return undefined;
  }
}

/** metav1.FormatLabelSelector: "<error>" for a bad selector, "<none>" for an empty one. */
export function formatLabelSelector(selector: unknown): string {
  const s = selectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** printBoolPtr: "True", "False" or "<unset>". */
export function boolPtrCell(value: unknown): string {
  const b = optBool(value);
  if (b === undefined) return '<unset>';
  return b ? 'True' : 'False';
}

/** listWithMoreString: at most `max` entries, then " + N more...", "<unset>" when empty. */
export function listWithMore(list: readonly string[], more: boolean, count: number, max: number): string {
  const joined = list.join(',');
  if (more) return `${joined} + ${count - max} more...`;
  return joined === '' ? '<unset>' : joined;
}

/** A resource.Quantity as Quantity.String() prints it. Stored quantities are already canonical
 * (admission canonicalizes them on write), so the stored spelling is the canonical one. */
export function quantityCell(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '0' : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '0';
}

/** net.JoinHostPort. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The first condition of `type` in a conditions array, or undefined. */
export function findCondition(conditions: unknown, type: string): Obj | undefined {
  return recs(conditions).find((c) => c.type === type);
}

/** Go's unicode.IsSpace set (JS's trim() differs: it strips U+FEFF and keeps U+0085). */
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'gu');

/** strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}
