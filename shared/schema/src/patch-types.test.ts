// The Go-struct view of the 1.36 built-in types that strategic merge patch looks fields up in.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type PatchGoType, builtinPatchType } from './patch-types.js';

function fieldOf(type: PatchGoType | undefined, name: string) {
  assert.ok(type && type.kind === 'struct', `a struct, got ${type?.kind}`);
  return type.field(name);
}

describe('builtinPatchType', () => {
  test('definitions are structs named as their Go types, compiled once', () => {
    const pod = builtinPatchType('io.k8s.api.core.v1.PodSpec');
    assert.equal(pod?.kind === 'struct' && pod.name, 'PodSpec');
    assert.equal(builtinPatchType('io.k8s.api.core.v1.PodSpec'), pod);
    assert.equal(builtinPatchType('io.k8s.api.core.v1.NoSuchThing'), undefined);
  });

  test('patch strategies and merge keys come from the x-kubernetes-patch-* extensions', () => {
    const spec = builtinPatchType('io.k8s.api.core.v1.PodSpec');
    const volumes = fieldOf(spec, 'volumes');
    assert.deepEqual(volumes?.strategies, ['merge', 'retainKeys']);
    assert.equal(volumes?.mergeKey, 'name');
    assert.equal(volumes?.type.kind, 'slice');
    const containers = fieldOf(spec, 'containers');
    assert.ok(containers?.type.kind === 'slice');
    const ports = fieldOf(containers.type.elem, 'ports');
    assert.deepEqual([ports?.strategies, ports?.mergeKey], [['merge'], 'containerPort']);
    // No tag: strings.Split("", ",") is [""].
    assert.deepEqual(fieldOf(spec, 'tolerations')?.strategies, ['']);
    assert.deepEqual(fieldOf(builtinPatchType('io.k8s.api.apps.v1.DeploymentSpec'), 'strategy')?.strategies, ['retainKeys']);
  });

  test('maps, scalars and definitions without properties', () => {
    const meta = builtinPatchType('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    const labels = fieldOf(meta, 'labels');
    assert.deepEqual(labels?.type, { kind: 'map', value: { kind: 'scalar', goKind: 'string' } });
    assert.deepEqual(fieldOf(meta, 'generation')?.type, { kind: 'scalar', goKind: 'int64' });
    const raw = fieldOf(builtinPatchType('io.k8s.api.apps.v1.ControllerRevision'), 'data')?.type;
    assert.ok(raw?.kind === 'struct');
    assert.equal(raw.name, 'RawExtension');
    assert.equal(raw.field('anything'), undefined);
  });

  test('JSON field names match exactly, else case-insensitively (encoding/json)', () => {
    const spec = builtinPatchType('io.k8s.api.core.v1.PodSpec');
    assert.equal(fieldOf(spec, 'Containers'), fieldOf(spec, 'containers'));
    assert.equal(fieldOf(spec, 'nope'), undefined);
  });
});
