// Tables after structured-merge-diff's own tests (fieldpath/serialize_test.go,
// serialize-pe_test.go, merge/set_test.go, merge/leaf_test.go, merge/multiple_appliers_test.go)
// and the field manager's (managedfields/internal: managedfields_test.go, capmanagers_test.go,
// conflict_test.go), over hand-written types and the 1.36 schema.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FieldSet, FieldsV1Error } from './field-set.js';
import { ANCIENT_CHANGES_MANAGER, type FieldManagerScope, applyObject, capUpdateManagers, conflictFailure, decodeManagedFields, encodeManagedFields, managerIdentifier, printManager, recordUpdate } from './managed-fields.js';
import { type Path, type PathElement, deserializePathElement, pathString, serializePathElement } from './path-element.js';
import { type ListType, type MapType, type TypeNode, DEDUCED, definitionNameOfKind, typeOfDefinition } from './schema-types.js';
import { compareValues, mergeValues, toFieldSet, validateValue } from './typed-value.js';
import { ConflictsError, type ManagedFieldSets, applyConfiguration, updateManagedFields } from './updater.js';

// ---- hand-written types ---------------------------------------------------------------------

const str: TypeNode = { kind: 'scalar', scalar: 'string' };
const num: TypeNode = { kind: 'scalar', scalar: 'numeric' };
const bool: TypeNode = { kind: 'scalar', scalar: 'boolean' };
function struct(fields: Record<string, TypeNode>, opts: { atomic?: boolean; required?: string[] } = {}): MapType {
  return {
    kind: 'map',
    atomic: opts.atomic ?? false,
    isStruct: true,
    field: (n) => (Object.hasOwn(fields, n) ? fields[n] : undefined),
    elementType: undefined,
    fieldDefault: () => undefined,
    isRequired: (n) => opts.required?.includes(n) ?? false,
  };
}
const map = (element: TypeNode, atomic = false): MapType => ({ kind: 'map', atomic, isStruct: false, field: () => undefined, elementType: element, fieldDefault: () => undefined, isRequired: () => false });
const list = (element: TypeNode, opts: { atomic?: boolean; keys?: string[] } = {}): ListType => ({ kind: 'list', atomic: opts.atomic ?? false, keys: opts.keys ?? [], elementType: element });

const f = (field: string): PathElement => ({ field });
const v = (value: unknown): PathElement => ({ value });
const k = (...pairs: [string, unknown][]): PathElement => ({ key: pairs });
const i = (index: number): PathElement => ({ index });

// ---- fieldsV1 -------------------------------------------------------------------------------

describe('field sets and fieldsV1', () => {
  test('serialize_test.go documents round-trip byte for byte', () => {
    const documents = [
  String.raw`{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\"name\":\"first\"}":{},"k:{\"name\":\"second\"}":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\"aa\"":{},"v:\"ab\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}`,
  String.raw`{"f:aaa":{"k:{\"name\":\"second\"}":{"v:3":{"f:aab":{}}},"v:3":{},"v:true":{}},"f:aab":{"f:aaa":{},"f:aaf":{"k:{\"port\":443,\"protocol\":\"udp\"}":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"k:{\"name\":\"first\"}":{}},"f:aac":{"f:aaa":{"v:1":{}},"f:aac":{},"v:3":{"k:{\"name\":\"second\"}":{}}},"f:aad":{"f:aac":{"v:1":{}},"f:aaf":{"k:{\"name\":\"first\"}":{"k:{\"name\":\"first\"}":{}}},"i:1":{"i:1":{},"i:3":{"v:true":{}}}},"f:aae":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:4":{"f:aaf":{}}},"f:aaf":{"i:1":{"f:aac":{}},"i:2":{},"i:3":{}},"k:{\"name\":\"first\"}":{"f:aad":{"f:aaf":{}}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"f:aaa":{"f:aad":{}}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"f:aac":{},"k:{\"name\":\"first\"}":{"i:3":{}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"i:4":{}}},"v:1":{"f:aac":{"i:4":{}},"f:aaf":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{}},"v:2":{"f:aad":{"f:aaf":{}},"i:1":{}},"v:3":{"f:aaa":{},"k:{\"name\":\"first\"}":{},"i:2":{}},"v:\"aa\"":{"f:aab":{"f:aaf":{}},"f:aae":{},"k:{\"name\":\"first\"}":{"f:aad":{}},"i:2":{}},"v:\"ab\"":{"f:aaf":{"i:4":{}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:1":{"f:aae":{"i:4":{}}}},"v:true":{"k:{\"name\":\"second\"}":{"f:aaa":{}},"i:2":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"i:1":{"i:3":{"f:aaf":{}}},"i:2":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"v:1":{}}},"i:3":{"f:aab":{"v:true":{"v:\"aa\"":{}}},"f:aaf":{},"i:1":{}},"i:4":{"v:\"aa\"":{"f:aab":{"k:{\"name\":\"second\"}":{}}}}}`,
  String.raw`{"f:spec":{".":{},"f:apps":{".":{},"k:{\"name\":\" app-💻\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"name\":\"port 🔑\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}},"k:{\"name\":\" app-🚀\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"name\":\"port-✅ \"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}}}}}`
    ];
    for (const doc of documents) {
      const set = FieldSet.fromFieldsV1(JSON.parse(doc));
      assert.equal(JSON.stringify(set.toFieldsV1()), doc);
    }
  });

  test('path elements round-trip (serialize-pe_test.go)', () => {
    for (const text of [
      'f:',
      'f:spec',
      'f: string-with-spaces   ',
      'k:{"name":"my-container"}',
      'k:{"port":"8080","protocol":"TCP"}',
      'k:{"optionalField":null}',
      'k:{"jsonField":{"A":1,"B":null,"C":"D","E":{"F":"G"}}}',
      'k:{"listField":["1","2","3"]}',
      'v:"some-string"',
      'v:{"some":"json"}',
      'v:1',
      'v:true',
      'i:0',
      'i:42',
      'k:{"name":"app-🚀"}',
      'f:spec-\\n',
    ]) {
      const pe = deserializePathElement(text);
      assert.notEqual(typeof pe, 'symbol');
      assert.equal(serializePathElement(pe as PathElement), text);
    }
  });

  test('key fields are sorted; HTML characters are escaped as Go does', () => {
    assert.equal(serializePathElement(deserializePathElement('k:{"protocol":"TCP","port":80}') as PathElement), 'k:{"port":80,"protocol":"TCP"}');
    assert.equal(serializePathElement(v('<a&b>')), 'v:"\\u003ca\\u0026b\\u003e"');
  });

  test('members and children: "." marks a node that is both; order is field < key < value < index', () => {
    const set = FieldSet.of(
      [f('spec'), f('containers'), k(['name', 'c']), f('image')],
      [f('spec'), f('containers'), k(['name', 'c'])],
      [f('metadata'), f('finalizers'), v('b')],
      [f('metadata'), f('finalizers'), v('a')],
      [f('metadata'), f('finalizers')],
      [f('list'), i(2)],
      [f('list'), k(['a', 1])],
      [f('list'), v(1)],
      [f('list'), f('x')],
    );
    assert.equal(
      JSON.stringify(set.toFieldsV1()),
      '{"f:list":{"f:x":{},"k:{\\"a\\":1}":{},"v:1":{},"i:2":{}},"f:metadata":{"f:finalizers":{".":{},"v:\\"a\\"":{},"v:\\"b\\"":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{".":{},"f:image":{}}}}}',
    );
    assert.ok(FieldSet.fromFieldsV1(set.toFieldsV1()).equals(set));
  });

  test('parse errors; unknown element kinds are dropped', () => {
    assert.throws(() => FieldSet.fromFieldsV1({ f: {} }), FieldsV1Error);
    assert.throws(() => FieldSet.fromFieldsV1({ 'fx': {} }), /missing colon/);
    assert.throws(() => FieldSet.fromFieldsV1({ 'k:{bad': {} }), FieldsV1Error);
    assert.throws(() => FieldSet.fromFieldsV1({ 'i:one': {} }), FieldsV1Error);
    assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 1 }), FieldsV1Error);
    assert.throws(() => FieldSet.fromFieldsV1([]), FieldsV1Error);
    const set = FieldSet.fromFieldsV1({ 'f:a': {}, 'z:future': {}, 'f:b': { 'z:future': {} } });
    assert.deepEqual(set.paths().map(pathString), ['.a', '.b']);
  });

  test('set algebra', () => {
    const a = FieldSet.of([f('a')], [f('b'), f('c')], [f('b'), f('d')]);
    const b = FieldSet.of([f('b'), f('c')], [f('e')]);
    assert.deepEqual(a.union(b).paths().map(pathString), ['.a', '.e', '.b.c', '.b.d']);
    assert.deepEqual(a.intersection(b).paths().map(pathString), ['.b.c']);
    assert.deepEqual(a.difference(b).paths().map(pathString), ['.a', '.b.d']);
    assert.ok(a.difference(a).isEmpty());
  });

  test('paths print as kube prints them in conflicts', () => {
    const path: Path = [f('spec'), f('containers'), k(['name', 'c']), f('ports'), k(['containerPort', 80], ['protocol', 'TCP']), f('name')];
    assert.equal(pathString(path), '.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"].name');
    assert.equal(pathString([f('finalizers'), v('x')]), '.finalizers[="x"]');
    assert.equal(pathString([f('args'), i(0)]), '.args[0]');
  });
});

// ---- typed values ---------------------------------------------------------------------------

const setType = struct({ list: list(str) });
const leafType = struct({ numeric: num, string: str, bool });
const nested = struct({
  atomicList: list(str, { atomic: true }),
  items: list(struct({ name: str, value: str, other: str }), { keys: ['name'] }),
  labels: map(str),
  atomicMap: map(str, true),
  inner: struct({ a: str, b: str }),
});

describe('typed values', () => {
  test('ToFieldSet: leaves, list items (with "."), map entries; struct fields only when empty', () => {
    const set = toFieldSet({ items: [{ name: 'x', value: '1' }], labels: { a: 'b' }, atomicList: ['q'], atomicMap: { z: '1' }, inner: {} }, nested);
    assert.deepEqual(set.toFieldsV1(), {
      'f:atomicList': {},
      'f:atomicMap': {},
      'f:inner': {},
      'f:items': { 'k:{"name":"x"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
      'f:labels': { 'f:a': {} },
    });
  });

  test('merge: atomic lists and maps are replaced; sets, associative lists and granular maps merge', () => {
    const live = { atomicList: ['a', 'b'], items: [{ name: 'x', value: '1', other: 'o' }, { name: 'y', value: '2' }], labels: { a: '1', b: '2' }, atomicMap: { a: '1', b: '2' }, inner: { a: 'a' } };
    const config = { atomicList: ['c'], items: [{ name: 'y', value: '3' }], labels: { b: '3', c: '4' }, atomicMap: { c: '3' }, inner: { b: 'b' } };
    assert.deepEqual(mergeValues(live, config, nested), {
      atomicList: ['c'],
      items: [{ name: 'x', value: '1', other: 'o' }, { name: 'y', value: '3' }],
      labels: { a: '1', b: '3', c: '4' },
      atomicMap: { c: '3' },
      inner: { a: 'a', b: 'b' },
    });
    assert.deepEqual(mergeValues({ list: ['a', 'b', 'c', 'd'] }, { list: ['a', 'aprime', 'c', 'cprime'] }, setType), { list: ['a', 'b', 'aprime', 'c', 'd', 'cprime'] });
  });

  test('compare: added, modified, removed', () => {
    const c = compareValues({ numeric: 1, string: 's' }, { numeric: 2, bool: true }, leafType);
    assert.deepEqual(c.added.paths().map(pathString), ['.bool']);
    assert.deepEqual(c.modified.paths().map(pathString), ['.numeric']);
    assert.deepEqual(c.removed.paths().map(pathString), ['.string']);
  });

  test('validation: undeclared fields, scalar kinds, duplicate and missing keys', () => {
    const errs = validateValue({ bogus: 1, items: [{ name: 'a' }, { name: 'a' }, { value: 'x' }], labels: { a: 1 } }, nested);
    assert.deepEqual(
      errs.map((e) => `${e.path}: ${e.message}`),
      [
        '.bogus: field not declared in schema',
        '.items: duplicate entries for key [name="a"]',
        '.items: element 2: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
        '.labels.a: expected string, got 1',
      ],
    );
    assert.deepEqual(validateValue({ items: [{ name: 'a' }, { name: 'a' }] }, nested, true), []);
  });
});

// ---- the updater ----------------------------------------------------------------------------

type Op = { apply: string; object: unknown; force?: boolean } | { update: string; object: unknown };

/** The merge package's fixture: operations in order over one object and its managers. */
function run(type: TypeNode, ops: Op[]): { object: unknown; managers: ManagedFieldSets } {
  let object: unknown = {};
  const managers: ManagedFieldSets = new Map();
  for (const op of ops) {
    if ('apply' in op) {
      const result = applyConfiguration(type, object, op.object, 'v1', managers, op.apply, op.force ?? false);
      if (result.object !== undefined) object = result.object;
    } else {
      updateManagedFields(type, object, op.object, 'v1', managers, op.update);
      object = op.object;
    }
  }
  return { object, managers };
}

const owned = (managers: ManagedFieldSets): Record<string, string[]> => Object.fromEntries([...managers].map(([m, vs]) => [m, vs.set.paths().map(pathString)]));

describe('updater (merge/set_test.go, leaf_test.go, multiple_appliers_test.go)', () => {
  test('set: apply twice', () => {
    const { object, managers } = run(setType, [
      { apply: 'default', object: { list: ['a', 'c'] } },
      { apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } },
    ]);
    assert.deepEqual(object, { list: ['a', 'b', 'c', 'd'] });
    assert.deepEqual(owned(managers), { default: ['.list[="a"]', '.list[="b"]', '.list[="c"]', '.list[="d"]'] });
  });

  test('set: apply, update, apply without overlap', () => {
    const { object, managers } = run(setType, [
      { apply: 'default', object: { list: ['a', 'c'] } },
      { update: 'controller', object: { list: ['a', 'b', 'c', 'd'] } },
      { apply: 'default', object: { list: ['a', 'aprime', 'c', 'cprime'] } },
    ]);
    assert.deepEqual(object, { list: ['a', 'b', 'aprime', 'c', 'd', 'cprime'] });
    assert.deepEqual(owned(managers), { default: ['.list[="a"]', '.list[="aprime"]', '.list[="c"]', '.list[="cprime"]'], controller: ['.list[="b"]', '.list[="d"]'] });
  });

  test('set: apply twice reordered, and reordered back over an update', () => {
    assert.deepEqual(run(setType, [{ apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } }, { apply: 'default', object: { list: ['a', 'd', 'c', 'b'] } }]).object, { list: ['a', 'd', 'c', 'b'] });
    const back = run(setType, [
      { apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } },
      { update: 'controller', object: { list: ['a', 'd', 'c', 'b'] } },
      { apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } },
    ]);
    assert.deepEqual(back.object, { list: ['a', 'b', 'c', 'd'] });
    assert.deepEqual(Object.keys(owned(back.managers)), ['default']);
  });

  test('set: apply twice removing items', () => {
    const { object, managers } = run(setType, [
      { apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } },
      { apply: 'default', object: { list: ['a', 'c', 'e'] } },
    ]);
    assert.deepEqual(object, { list: ['a', 'c', 'e'] });
    assert.deepEqual(owned(managers), { default: ['.list[="a"]', '.list[="c"]', '.list[="e"]'] });
  });

  test('leaf: apply, update, apply with overlap conflicts; force takes the field', () => {
    const ops: Op[] = [
      { apply: 'default', object: { numeric: 1, string: 'string' } },
      { update: 'controller', object: { numeric: 1, string: 'controller string', bool: false } },
    ];
    assert.throws(
      () => run(leafType, [...ops, { apply: 'default', object: { numeric: 2, string: 'user string' } }]),
      (err: unknown) => {
        assert.ok(err instanceof ConflictsError);
        assert.deepEqual(err.conflicts.map((c) => [c.manager, pathString(c.path)]), [['controller', '.string']]);
        return true;
      },
    );
    const forced = run(leafType, [...ops, { apply: 'default', object: { numeric: 2, string: 'user string' }, force: true }]);
    assert.deepEqual(forced.object, { numeric: 2, string: 'user string', bool: false });
    assert.deepEqual(owned(forced.managers), { default: ['.numeric', '.string'], controller: ['.bool'] });
  });

  test('leaf: a field no longer applied is removed, unless another manager owns it', () => {
    assert.deepEqual(run(leafType, [{ apply: 'default', object: { numeric: 1, string: 'string', bool: false } }, { apply: 'default', object: { string: 'new string' } }]).object, { string: 'new string' });
    const kept = run(leafType, [
      { apply: 'default', object: { numeric: 1 } },
      { update: 'controller', object: { numeric: 2 } },
      { apply: 'default', object: { string: 'string' } },
    ]);
    assert.deepEqual(kept.object, { numeric: 2, string: 'string' });
    assert.deepEqual(owned(kept.managers), { controller: ['.numeric'], default: ['.string'] });
    const shared = run(leafType, [
      { apply: 'a', object: { numeric: 1, string: 's' } },
      { apply: 'b', object: { numeric: 1 } },
      { apply: 'a', object: { string: 's' } },
    ]);
    assert.deepEqual(shared.object, { numeric: 1, string: 's' }, 'a field co-owned by another applier stays');
  });

  test('multiple appliers on an associative list', () => {
    const t = struct({ list: list(struct({ name: str, value: num }), { keys: ['name'] }) });
    const { object, managers } = run(t, [
      { apply: 'apply-one', object: { list: [{ name: 'a' }, { name: 'b' }] } },
      { apply: 'apply-two', object: { list: [{ name: 'c' }] } },
      { apply: 'apply-one', object: { list: [{ name: 'a' }] } },
    ]);
    assert.deepEqual(object, { list: [{ name: 'a' }, { name: 'c' }] });
    assert.deepEqual(owned(managers), { 'apply-one': ['.list[name="a"]', '.list[name="a"].name'], 'apply-two': ['.list[name="c"]', '.list[name="c"].name'] });
  });

  test('an apply that changes nothing returns no object', () => {
    const managers: ManagedFieldSets = new Map();
    const first = applyConfiguration(leafType, {}, { numeric: 1 }, 'v1', managers, 'm', false);
    assert.deepEqual(first.object, { numeric: 1 });
    assert.equal(applyConfiguration(leafType, first.object, { numeric: 1 }, 'v1', managers, 'm', false).object, undefined);
  });
});

// ---- managedFields and the field manager ----------------------------------------------------

const deployment = typeOfDefinition(definitionNameOfKind('apps', 'v1', 'Deployment')!)!;
const at = (t: string) => () => t;
const scope = (overrides: Partial<FieldManagerScope> = {}): FieldManagerScope => ({ type: deployment, apiVersion: 'apps/v1', subresource: '', now: at('2026-01-01T00:00:00Z'), ...overrides });

describe('managedFields', () => {
  test('the 1.36 schema: containers keyed by name, ports by containerPort+protocol, finalizers a set, selector atomic', () => {
    const set = toFieldSet(
      {
        metadata: { finalizers: ['x'] },
        spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, protocol: 'TCP' }], args: ['1'] }] } } },
      },
      deployment,
    );
    assert.deepEqual(set.paths().map(pathString), [
      '.metadata.finalizers[="x"]',
      '.spec.selector',
      '.spec.template.spec.containers[name="c"]',
      '.spec.template.spec.containers[name="c"].args',
      '.spec.template.spec.containers[name="c"].name',
      '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
      '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"].containerPort',
      '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"].protocol',
    ]);
    // A Service port without a protocol takes the schema default as its key.
    const service = typeOfDefinition(definitionNameOfKind('', 'v1', 'Service')!)!;
    assert.deepEqual(toFieldSet({ spec: { ports: [{ port: 80 }] } }, service).paths().map(pathString).slice(0, 1), ['.spec.ports[port=80,protocol="TCP"]']);
  });

  test('manager identifiers and how conflicts name them', () => {
    assert.equal(managerIdentifier({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1' }), '{"manager":"kubectl","operation":"Apply"}');
    const update = managerIdentifier({ manager: 'ctl', operation: 'Update', apiVersion: 'apps/v1', subresource: 'status' });
    assert.equal(update, '{"manager":"ctl","operation":"Update","apiVersion":"apps/v1","subresource":"status"}');
    assert.equal(printManager(update), '"ctl" with subresource "status" using apps/v1');
    const failure = conflictFailure([
      { manager: update, path: [f('status'), f('replicas')] },
      { manager: '{"manager":"a","operation":"Apply"}', path: [f('spec'), f('replicas')] },
      { manager: update, path: [f('status'), f('ready')] },
    ]);
    assert.equal(failure.message, 'Apply failed with 3 conflicts: conflicts with "a":\n- .spec.replicas\nconflicts with "ctl" with subresource "status" using apps/v1:\n- .status.replicas\n- .status.ready');
  });

  test('decode/encode: validation errors, sort order (Apply first, then time, manager)', () => {
    assert.throws(() => decodeManagedFields([{ manager: 'a', operation: 'Nope', apiVersion: 'v1', fieldsType: 'FieldsV1' }]), /operation must be `Apply` or `Update`/);
    assert.throws(() => decodeManagedFields([{ manager: 'a', operation: 'Update', fieldsType: 'FieldsV1' }]), /apiVersion must not be empty/);
    assert.throws(() => decodeManagedFields([{ manager: 'a', operation: 'Update', apiVersion: 'v1' }]), /missing fieldsType in managed fields entry 0/);
    assert.throws(() => decodeManagedFields([{ manager: 'a', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV2' }]), /invalid fieldsType "FieldsV2"/);
    const entries = [
      { manager: 'z', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:a': {} } },
      { manager: 'b', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:b': {} } },
      { manager: 'y', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:09Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:c': {} } },
    ];
    assert.deepEqual(encodeManagedFields(decodeManagedFields(entries))!.map((e) => e.manager), ['y', 'b', 'z']);
  });

  test('cap: beyond 10 Update managers the oldest merge into ancient-changes', () => {
    const entries = Array.from({ length: 12 }, (_, n) => ({ manager: `m${n}`, operation: 'Update', apiVersion: 'v1', time: `2026-01-01T00:00:${String(n).padStart(2, '0')}Z`, fieldsType: 'FieldsV1', fieldsV1: { [`f:f${n}`]: {} } }));
    entries.push({ manager: 'applier', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:x': {} } });
    const managed = decodeManagedFields(entries);
    capUpdateManagers(managed, 10);
    const out = encodeManagedFields(managed)!;
    assert.deepEqual(out.map((e) => e.manager), ['applier', ANCIENT_CHANGES_MANAGER, ...Array.from({ length: 9 }, (_, n) => `m${n + 3}`)]);
    assert.deepEqual(out[1]!.fieldsV1, { 'f:f0': {}, 'f:f1': {}, 'f:f2': {} });
    assert.equal(out[1]!.time, '2026-01-01T00:00:02Z');
  });

  test('recordUpdate: create, a change by another manager, a no-op, a reset, invalid entries', () => {
    const created: Record<string, unknown> = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', uid: 'u', labels: { a: 'b' } }, spec: { replicas: 1 } };
    recordUpdate(scope(), undefined, created, 'kubectl-create');
    assert.deepEqual((created.metadata as { managedFields: unknown }).managedFields, [
      { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { 'f:replicas': {} } } },
    ]);
    const scaled = structuredClone(created);
    (scaled.spec as { replicas: number }).replicas = 2;
    recordUpdate(scope({ now: at('2026-01-01T00:01:00Z') }), created, scaled, 'kubectl-scale');
    const entries = (scaled.metadata as { managedFields: { manager: string; fieldsV1: unknown }[] }).managedFields;
    assert.deepEqual(entries.map((e) => [e.manager, e.fieldsV1]), [
      ['kubectl-create', { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } }],
      ['kubectl-scale', { 'f:spec': { 'f:replicas': {} } }],
    ]);
    const same = structuredClone(scaled);
    recordUpdate(scope({ now: at('2026-01-01T00:02:00Z') }), scaled, same, 'someone');
    assert.deepEqual(same, scaled, 'a change of nothing records nothing');
    const reset = structuredClone(scaled);
    (reset.metadata as { managedFields: unknown }).managedFields = [];
    (reset.spec as { replicas: number }).replicas = 7;
    recordUpdate(scope(), scaled, reset, 'someone');
    assert.equal((reset.metadata as { managedFields?: unknown }).managedFields, undefined, 'reset, and an existing object nobody manages is not started on');
    const bogus = structuredClone(scaled);
    (bogus.metadata as { managedFields: unknown }).managedFields = [{ manager: 'x' }];
    recordUpdate(scope(), scaled, bogus, 'someone');
    assert.deepEqual((bogus.metadata as { managedFields: unknown }).managedFields, (scaled.metadata as { managedFields: unknown }).managedFields, 'invalid entries fall back to the live ones');
  });

  test('a status write keeps the live entries whatever the request sends', () => {
    const live: Record<string, unknown> = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 } };
    recordUpdate(scope(), undefined, live, 'creator');
    const status = structuredClone(live);
    (status.metadata as { managedFields: unknown }).managedFields = [];
    status.status = { replicas: 1 };
    recordUpdate(scope({ subresource: 'status' }), live, status, 'controller');
    assert.deepEqual((status.metadata as { managedFields: { manager: string; subresource?: string }[] }).managedFields.map((e) => [e.manager, e.subresource]), [
      ['controller', 'status'],
      ['creator', undefined],
    ]);
  });

  test('applyObject: kube\'s errors for bad configurations', () => {
    const live = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' } };
    assert.throws(() => applyObject(scope(), live, { apiVersion: 'v1', kind: 'Deployment' }, 'm', false), /Incorrect version specified in apply patch. Specified patch version: v1, expected: apps\/v1/);
    assert.throws(() => applyObject(scope(), live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { managedFields: [] } }, 'm', false), /metadata.managedFields must be nil/);
    assert.throws(
      () => applyObject(scope(), live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' }, spec: { replicas: 'three' } }, 'm', false),
      /^Error: failed to create typed patch object \(ns\/d; apps\/v1, Kind=Deployment\): \.spec\.replicas: expected numeric \(int or float\), got string$/,
    );
  });

  test('untyped (custom) resources deduce: maps granular, lists atomic', () => {
    const set = toFieldSet({ spec: { a: 1, list: [1, 2], m: { x: 'y' } } }, DEDUCED);
    assert.deepEqual(set.paths().map(pathString), ['.spec', '.spec.a', '.spec.list', '.spec.m', '.spec.m.x']);
  });
});

describe('client-side apply annotation', () => {
  test('kubectl\'s server-side apply keeps last-applied-configuration in step; other managers leave it', () => {
    const live = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' } }, spec: { replicas: 1 } };
    const config = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' }, spec: { replicas: 1, paused: true } };
    const byKubectl = applyObject(scope(), live, config, 'kubectl', true) as { metadata: { annotations: Record<string, string> } };
    assert.equal(
      byKubectl.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"ns"},"spec":{"paused":true,"replicas":1}}\n',
    );
    const byOther = applyObject(scope(), live, config, 'helm', true) as { metadata: { annotations: Record<string, string> } };
    assert.equal(byOther.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{"old":true}\n');
  });
});

describe('moving from client-side to server-side apply (lastAppliedManager)', () => {
  const csaCreated = (): Record<string, unknown> => {
    const object: Record<string, unknown> = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ns', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"ns"},"spec":{"replicas":1}}\n' } },
      spec: { replicas: 1 },
    };
    recordUpdate(scope(), undefined, object, 'kubectl-client-side-apply');
    return object;
  };

  test('kubectl takes over fields still as it applied them client-side; others conflict', () => {
    const config = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' }, spec: { replicas: 5 } };
    const migrated = applyObject(scope(), csaCreated(), config, 'kubectl', false) as { spec: { replicas: number }; metadata: { managedFields: { manager: string }[] } };
    assert.equal(migrated.spec.replicas, 5);
    assert.throws(() => applyObject(scope(), csaCreated(), config, 'other', false), /conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.replicas/);
    const changed = csaCreated();
    (changed.spec as { replicas: number }).replicas = 2;
    assert.throws(() => applyObject(scope(), changed, config, 'kubectl', false), /Apply failed with 1 conflict/, 'a value changed since the client-side apply still conflicts');
  });
});

describe('Update entries as kube shapes them from Go objects', () => {
  test('value structs and required lists of a present parent carry no "."; pointers and new list items do', () => {
    const object: Record<string, unknown> = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
        template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1' } } }] } },
      },
    };
    recordUpdate(scope(), undefined, object, 'kubectl-create');
    assert.deepEqual((object.metadata as { managedFields: { fieldsV1: unknown }[] }).managedFields[0]!.fieldsV1, {
      'f:spec': {
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {} }, 'f:type': {} },
        'f:template': {
          'f:spec': {
            'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:name': {}, 'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:cpu': {} } } } },
          },
        },
      },
    });
  });
});
