// Narrowing of decoded JSON: what kapi's object code asks of a value that should be a JSON
// object (a Go struct or map) but may be anything a client sent.

/** A JSON object: not null, not an array. */
export function isJSONObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value if it is a JSON object, else an empty one (reading fields of an absent struct). */
export function jsonObjectOrEmpty(value: unknown): Record<string, unknown> {
  return isJSONObject(value) ? value : {};
}
