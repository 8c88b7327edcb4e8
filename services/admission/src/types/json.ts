// Reading decoded JSON without trusting its shape. The schema step reports type errors; these
// helpers let defaulting and validation walk an object that may still be malformed (validation
// must never throw on odd input) by treating a member of the wrong type as absent.

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The member as an object, or undefined. */
export function objectAt(value: unknown, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return isObject(v) ? v : undefined;
}

/** The member as an object, created (and stored) when absent or of the wrong type. */
export function ensureObject(parent: JsonObject, key: string): JsonObject {
  const v = parent[key];
  if (isObject(v)) return v;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/** The member as a list, or an empty list. */
export function listAt(value: unknown, key: string): unknown[] {
  if (!isObject(value)) return [];
  const v = value[key];
  return Array.isArray(v) ? v : [];
}

/** The member as a string, or '' (Go's zero value). */
export function stringAt(value: unknown, key: string): string {
  if (!isObject(value)) return '';
  const v = value[key];
  return typeof v === 'string' ? v : '';
}

/** The member as a number, or undefined (a nil pointer). */
export function numberAt(value: unknown, key: string): number | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return typeof v === 'number' ? v : undefined;
}

/** The member as a boolean, or undefined. */
export function boolAt(value: unknown, key: string): boolean | undefined {
  if (!isObject(value)) return undefined;
  const v = value[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** Whether a member is absent (undefined or null): a nil pointer in Go. */
export function unset(parent: JsonObject, key: string): boolean {
  return parent[key] === undefined || parent[key] === null;
}

/** Sets a member when it is absent; returns whether it did. */
export function setDefault(parent: JsonObject, key: string, value: unknown): boolean {
  if (!unset(parent, key)) return false;
  parent[key] = value;
  return true;
}

/** Sets a string member when it is absent or '' (Go: `if x == "" { x = default }`). */
export function setDefaultString(parent: JsonObject, key: string, value: string): boolean {
  if (parent[key] !== undefined && parent[key] !== null && parent[key] !== '') return false;
  parent[key] = value;
  return true;
}

/** The string members of a map (non-string values are skipped). */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
