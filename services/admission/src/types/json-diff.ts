// A short description of how two JSON values differ, for messages that kube completes with a
// cmp.Diff of Go structs (pod updates). cmp's output is deliberately unstable upstream, so no
// client parses it; this lists each differing path with its old and new value.

import { goJSONMarshal } from '@kapi/apimachinery';
import { isObject } from './json.js';

function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length >= 20) return;
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], path === '' ? k : `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => walk(v, b[i], `${path}[${i}]`, out));
    return;
  }
  const left = goJSONMarshal(a ?? null);
  const right = goJSONMarshal(b ?? null);
  if (left === right) return;
  out.push(`- ${path}: ${left}`, `+ ${path}: ${right}`);
}

/** `- path: old` / `+ path: new` lines for every difference (at most ten). */
export function describeJsonDiff(oldValue: unknown, newValue: unknown, root: string): string {
  const out: string[] = [];
  walk(oldValue, newValue, root, out);
  return out.join('\n');
}
