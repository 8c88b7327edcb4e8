// Builds data/kubernetes-1.36-go-fields.json: for every Go struct field of the built-in API types
// that has a protobuf tag, what the protobuf descriptor (data/kubernetes-1.36-proto.json) does not
// say but a protobuf <-> JSON conversion needs to reproduce kube's Go round trip
// (generated.pb.go Unmarshal into the Go struct, then encoding/json):
//   - the JSON name when it differs from the proto field name, and embedded structs the JSON
//     inlines (`json:",inline"` / `json:""`);
//   - whether the Go field is a pointer (present in the wire bytes = set, even when zero);
//   - whether the json tag lacks omitempty (a zero value is still written), or has omitzero
//     (Go 1.24: a zero struct, e.g. an unset metav1.Time, is left out too).
// Only fields that differ from the common case (same name, omitempty, not a pointer) are listed.
//
// Usage: node scripts/gen-go-fields.mjs <k8s.io/api checkout> <k8s.io/apimachinery checkout>
// (the source trees of the release the descriptor was generated from).

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const OUTPUT = new URL('../data/kubernetes-1.36-go-fields.json', import.meta.url);
const DESCRIPTOR = new URL('../data/kubernetes-1.36-proto.json', import.meta.url);

/** Whether the descriptor has a message of this full name (test fixtures of apimachinery do not). */
function inDescriptor(root, fullName) {
  let node = root;
  for (const part of fullName.split('.')) {
    node = node?.nested?.[part];
    if (node === undefined) return false;
  }
  return node.fields !== undefined;
}

function goFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...goFiles(path));
    else if (name.endsWith('.go') && !name.endsWith('_test.go') && !name.startsWith('zz_generated') && !name.startsWith('generated.')) out.push(path);
  }
  return out;
}

const FIELD = /^\s+(?:(\w+)\s+)?(\*?)([\w.[\]*]+)\s+`([^`]*)`/;

/** Fields of every struct with protobuf tags in one file, keyed by "<proto package>.<Type>". */
function scan(file, protoPackage, out) {
  const lines = readFileSync(file, 'utf8').split('\n');
  let current;
  for (const line of lines) {
    const start = /^type (\w+) struct \{/.exec(line);
    if (start) {
      current = `${protoPackage}.${start[1]}`;
      continue;
    }
    if (current === undefined) continue;
    if (/^\}/.test(line)) {
      current = undefined;
      continue;
    }
    const m = FIELD.exec(line);
    if (!m) continue;
    const tags = m[4];
    const proto = /protobuf:"([^"]*)"/.exec(tags);
    if (!proto) continue;
    const protoName = /(?:^|,)name=([^,]+)/.exec(proto[1])?.[1];
    if (!protoName) continue;
    const json = /json:"([^"]*)"/.exec(tags)?.[1] ?? '';
    const [jsonName, ...opts] = json.split(',');
    const entry = {};
    const inline = jsonName === '' && (opts.includes('inline') || m[1] === undefined);
    if (inline) entry.inline = true;
    else if (jsonName !== protoName) entry.json = jsonName;
    if (m[2] === '*') entry.pointer = true;
    if (!inline && !opts.includes('omitempty') && !opts.includes('omitzero')) entry.always = true;
    if (opts.includes('omitzero')) entry.omitzero = true;
    if (Object.keys(entry).length === 0) continue;
    (out[current] ??= {})[protoName] = entry;
  }
}

function main() {
  const [apiDir, machineryDir] = process.argv.slice(2);
  if (!apiDir || !machineryDir) {
    console.error('usage: gen-go-fields.mjs <k8s.io/api dir> <k8s.io/apimachinery dir>');
    process.exit(2);
  }
  const out = {};
  for (const file of goFiles(apiDir)) {
    const pkg = relative(apiDir, file).split('/').slice(0, -1).join('.');
    scan(file, `k8s.io.api.${pkg}`, out);
  }
  for (const file of goFiles(join(machineryDir, 'pkg'))) {
    const pkg = relative(machineryDir, file).split('/').slice(0, -1).join('.');
    scan(file, `k8s.io.apimachinery.${pkg}`, out);
  }
  const descriptor = JSON.parse(readFileSync(DESCRIPTOR, 'utf8'));
  const names = Object.keys(out).filter((k) => inDescriptor(descriptor, k)).sort();
  const sorted = Object.fromEntries(names.map((k) => [k, out[k]]));
  writeFileSync(OUTPUT, JSON.stringify(sorted, null, 0).replace(/\},"k8s/g, '},\n"k8s') + '\n');
  console.log(`wrote ${Object.keys(sorted).length} types`);
}

main();
