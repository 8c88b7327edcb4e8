// YAML <-> JSON the way kube-apiserver converts (sigs.k8s.io/yaml over go-yaml v2):
//  - reading: YAML 1.1 scalars (yes/no/on/off are booleans, 0777 is octal), timestamps stay
//    strings, merge keys work, only the first document counts, aliases are bounded;
//  - writing: keys sorted, block sequences not indented under their key, YAML 1.1 quoting.
// Pure functions, used inline for small inputs and from the YAML worker thread for large ones.

import { parseDocument, stringify, type Document } from 'yaml';

/** A YAML document that does not convert; `message` is kube's text for it. */
export class YAMLDecodeError extends Error {}

/** Most aliases a document may expand (the "billion laughs" bound). */
const MAX_ALIAS_COUNT = 100;

/** sigs.k8s.io/yaml YAMLToJSON: the first document as a JSON value (null for an empty one). */
export function yamlToJSONValue(text: string): unknown {
  const doc: Document.Parsed = parseDocument(text, {
    version: '1.1',
    merge: true,
    uniqueKeys: false,
    customTags: (tags) => tags.filter((t) => typeof t === 'object' && t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME'),
  });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? 1;
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new YAMLDecodeError(`error converting YAML to JSON: yaml: line ${line}: ${message}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? null;
  } catch (e) {
    throw new YAMLDecodeError(`error converting YAML to JSON: yaml: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** sigs.k8s.io/yaml JSONToYAML of a JSON value (given as JSON text). */
export function jsonTextToYAML(json: string): string {
  return stringify(sortKeysDeep(JSON.parse(json)), {
    version: '1.1',
    indentSeq: false,
    lineWidth: 0,
    nullStr: 'null',
    aliasDuplicateObjects: false,
  });
}
