// Equality of JSON values as kube's apiequality.Semantic.DeepEqual sees decoded objects: member
// order never matters, and a member whose value is undefined is the same as an absent one (it
// would not survive JSON.stringify). Used for no-op detection and "did the spec change".

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definedKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).filter((key) => record[key] !== undefined);
}

/** Whether two JSON values are equal regardless of the order of object members. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = definedKeys(a);
    if (keys.length !== definedKeys(b).length) return false;
    return keys.every((key) => b[key] !== undefined && jsonEqual(a[key], b[key]));
  }
  return false;
}
