// Server-side printing: meta.k8s.io Tables (what `kubectl get` asks for) and
// PartialObjectMetadata(List). Columns come from a ColumnProvider per resource; the default one
// prints kube's NAME and AGE columns (same definitions and cells as kube's printers). Per-type
// providers (pods' READY/STATUS/RESTARTS, ...) plug in through `columnsFor`.

import type { ResourceInfo } from '@kapi/schema';

/** metav1.TableColumnDefinition. */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** metav1.TableRowCondition (kube sets {Completed, True} on finished pods' rows). */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Computes one row's cells for one object. */
export interface ColumnProvider {
  readonly columns: readonly TableColumnDefinition[];
  cells(object: Record<string, unknown>, now: number): unknown[];
  /** The row's conditions, when the type's printer sets some (omitted from the row otherwise). */
  conditions?(object: Record<string, unknown>): TableRowCondition[] | undefined;
  /** The order of a list's rows, when the type's list printer sorts (flowschemas do). */
  order?(items: Record<string, unknown>[]): Record<string, unknown>[];
}

/** Finds the provider of a resource (or subresource); undefined falls back to the default. */
export type ColumnProviderLookup = (resource: ResourceInfo, subresource: string) => ColumnProvider | undefined;

/** ObjectMeta's swagger descriptions, which kube uses as the descriptions of NAME and AGE. */
const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const NAME_COLUMN: TableColumnDefinition = { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 };
export const AGE_COLUMN: TableColumnDefinition = { name: 'Age', type: 'string', format: '', description: CREATION_TIMESTAMP_DESCRIPTION, priority: 0 };

/**
 * duration.HumanDuration: ~2-3 significant figures ("45s", "5m30s", "3h2m", "2d", "3y45d").
 * `ms` is a duration in milliseconds.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

function metadataOf(object: Record<string, unknown>): Record<string, unknown> {
  const m = object.metadata;
  return m !== null && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
}

/** Go's zero time.Time (0001-01-01T00:00:00Z), which metav1.Time.IsZero reports. */
const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** translateTimestampSince: "<unknown>" for a missing or zero timestamp. */
export function ageCell(creationTimestamp: unknown, now: number): string {
  if (typeof creationTimestamp !== 'string' || creationTimestamp === '') return '<unknown>';
  const t = Date.parse(creationTimestamp);
  if (Number.isNaN(t) || t <= ZERO_TIME) return '<unknown>';
  return humanDuration(now - t);
}

/** NAME and AGE: what every resource prints until it has its own columns. */
export const DEFAULT_COLUMNS: ColumnProvider = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  cells(object, now) {
    const meta = metadataOf(object);
    return [typeof meta.name === 'string' ? meta.name : '', ageCell(meta.creationTimestamp, now)];
  },
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** meta.AsPartialObjectMetadata in meta.k8s.io/<version>. */
export function partialObjectMetadata(object: Record<string, unknown>, metaVersion: string): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: metadataOf(object) };
}

/** Whether a decoded response object is a list (has an items array). */
export function isList(object: Record<string, unknown>): boolean {
  return Array.isArray(object.items);
}

function listMetadata(object: Record<string, unknown>): Record<string, unknown> {
  const m = metadataOf(object);
  const out: Record<string, unknown> = {};
  if (typeof m.resourceVersion === 'string' && m.resourceVersion !== '') out.resourceVersion = m.resourceVersion;
  if (typeof m.continue === 'string' && m.continue !== '') out.continue = m.continue;
  if (typeof m.remainingItemCount === 'number') out.remainingItemCount = m.remainingItemCount;
  return out;
}

/**
 * A list item as kube embeds it in a Table row: list items carry no kind/apiVersion on the wire, but
 * a row's object is encoded on its own and does (kubectl --sort-by decodes rows by their kind).
 */
function withTypeMeta(item: Record<string, unknown>, container: Record<string, unknown>): Record<string, unknown> {
  if (!isList(container) || (typeof item.kind === 'string' && item.kind !== '')) return item;
  const listKind = typeof container.kind === 'string' ? container.kind : '';
  if (!listKind.endsWith('List') || typeof container.apiVersion !== 'string') return item;
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = item;
  return { kind: listKind.slice(0, -'List'.length), apiVersion: container.apiVersion, ...rest };
}

/**
 * A meta.k8s.io/<metaVersion> Table of `object` (one row) or of a list's items, rows carrying the
 * object as `includeObject` asks. The Table's metadata is the list's (or the object's
 * resourceVersion).
 */
export function buildTable(
  object: Record<string, unknown>,
  provider: ColumnProvider,
  includeObject: IncludeObject,
  metaVersion: string,
  now: number,
): Record<string, unknown> {
  let items = isList(object) ? (object.items as unknown[]).filter((i): i is Record<string, unknown> => i !== null && typeof i === 'object') : [object];
  if (provider.order && isList(object)) items = provider.order(items);
  const rows = items.map((item) => {
    let rowObject: unknown;
    switch (includeObject) {
      case 'None':
        rowObject = null;
        break;
      case 'Object':
        rowObject = withTypeMeta(item, object);
        break;
      case 'Metadata':
        rowObject = partialObjectMetadata(item, metaVersion);
        break;
    }
    const conditions = provider.conditions?.(item);
    return conditions ? { cells: provider.cells(item, now), conditions, object: rowObject } : { cells: provider.cells(item, now), object: rowObject };
  });
  let metadata: Record<string, unknown>;
  if (isList(object)) {
    metadata = listMetadata(object);
  } else {
    const rv = metadataOf(object).resourceVersion;
    metadata = typeof rv === 'string' && rv !== '' ? { resourceVersion: rv } : {};
  }
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${metaVersion}`,
    metadata,
    columnDefinitions: provider.columns.map((c) => ({ name: c.name, type: c.type, format: c.format, description: c.description, priority: c.priority })),
    rows,
  };
}

/** asPartialObjectMetadataList: the list's items as PartialObjectMetadata. */
export function partialObjectMetadataList(object: Record<string, unknown>, metaVersion: string): Record<string, unknown> {
  const items = (object.items as unknown[])
    .filter((i): i is Record<string, unknown> => i !== null && typeof i === 'object')
    .map((i) => partialObjectMetadata(i, metaVersion));
  return { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: listMetadata(object), items };
}
