// Strategic merge patch against the cases of k8s.io/apimachinery/pkg/util/strategicpatch
// patch_test.go (customStrategicMergePatchTestCaseData, customStrategicMergePatchRawTestCases,
// strategicMergePatchRawTestCases: the original + twoWay -> modified half, which is what a server
// applies), over a schema shaped like its mergeItem struct.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StrategicMergePatchError } from './errors.js';
import { goSliceStable } from './go-sort.js';
import { MAX_MERGE_DEPTH, strategicMergeMapPatch } from './merge.js';
import { LookupPatchMeta, type PatchField, type PatchGoType } from './meta.js';

type JSONMap = Record<string, unknown>;

const scalar = (goKind: string): PatchGoType => ({ kind: 'scalar', goKind });
const STRING = scalar('string');
const INT = scalar('int32');

function struct(name: string, fields: () => Record<string, PatchField>): PatchGoType {
  let compiled: Record<string, PatchField> | undefined;
  return {
    kind: 'struct',
    name,
    field: (jsonName) => {
      compiled ??= fields();
      return Object.hasOwn(compiled, jsonName) ? compiled[jsonName] : undefined;
    },
  };
}
const field = (type: PatchGoType, strategy = '', mergeKey = ''): PatchField => ({ type, strategies: strategy.split(','), mergeKey });

// patch_test.go's MergeItem and RetainKeysMergeItem.
const rawExtension = struct('RawExtension', () => ({}));
const mergeItem: PatchGoType = struct('mergeItem', () => ({
  name: field(STRING),
  value: field(STRING),
  other: field(STRING),
  mergingList: field({ kind: 'slice', elem: mergeItem }, 'merge', 'name'),
  nonMergingList: field({ kind: 'slice', elem: mergeItem }),
  mergingIntList: field({ kind: 'slice', elem: INT }, 'merge'),
  nonMergingIntList: field({ kind: 'slice', elem: INT }),
  mergeItemPtr: field({ kind: 'slice', elem: mergeItem }, 'merge', 'name'),
  simpleMap: field({ kind: 'map', value: STRING }),
  replacingItem: field(rawExtension, 'replace'),
  retainKeysMap: field(retainKeysMergeItem, 'retainKeys'),
  retainKeysMergingList: field({ kind: 'slice', elem: mergeItem }, 'merge,retainKeys', 'name'),
  rawExtension: field(rawExtension),
}));
const retainKeysMergeItem: PatchGoType = struct('retainKeysMergeItem', () => ({
  name: field(STRING),
  value: field(STRING),
  other: field(STRING),
  simpleMap: field({ kind: 'map', value: STRING }),
  mergingList: field({ kind: 'slice', elem: mergeItem }, 'merge', 'name'),
  nonMergingList: field({ kind: 'slice', elem: mergeItem }),
  mergingIntList: field({ kind: 'slice', elem: INT }, 'merge'),
}));

const schema = new LookupPatchMeta(mergeItem);

function apply(original: JSONMap, patch: JSONMap): JSONMap {
  return strategicMergeMapPatch(structuredClone(original), structuredClone(patch), schema);
}

interface Case {
  name: string;
  original: JSONMap;
  patch: JSONMap;
  modified: JSONMap;
}

function runCases(cases: Case[]): void {
  for (const c of cases) {
    test(c.name, () => {
      // JSON comparison: member order is irrelevant, list order is checked.
      assert.deepEqual(apply(c.original, c.patch), c.modified);
    });
  }
}

const names = (...n: (number | string)[]): JSONMap[] => n.map((name) => ({ name }));

describe('maps', () => {
  runCases([
    { name: 'nil patch', original: { name: '1' }, patch: {}, modified: { name: '1' } },
    { name: 'add field to map', original: { name: '1' }, patch: { value: '1' }, modified: { name: '1', value: '1' } },
    { name: 'add field and delete field from map', original: { name: '1' }, patch: { name: null, value: '1' }, modified: { value: '1' } },
    {
      name: 'delete field from nested map',
      original: { simpleMap: { key1: '1', key2: '1' } },
      patch: { simpleMap: { key2: null } },
      modified: { simpleMap: { key1: '1' } },
    },
    { name: 'delete map from nested map ($patch: delete)', original: { simpleMap: { key1: 1, key2: 1 } }, patch: { simpleMap: { $patch: 'delete' } }, modified: { simpleMap: {} } },
    { name: 'delete all keys from map ($patch: replace)', original: { name: 1, value: 1 }, patch: { $patch: 'replace' }, modified: {} },
    { name: 'add key and delete all keys from map', original: { name: 1, value: 1 }, patch: { other: 'a', $patch: 'replace' }, modified: { other: 'a' } },
    { name: 'null for a missing field is dropped', original: { name: '1' }, patch: { value: null }, modified: { name: '1' } },
    {
      name: 'nulls inside an added map are dropped and directives removed',
      original: {},
      patch: { simpleMap: { a: 'x', b: null }, mergingList: [{ name: 'a', $patch: 'delete' }, { name: 'b' }] },
      modified: { simpleMap: { a: 'x' }, mergingList: [{ name: 'b' }] },
    },
    { name: 'an added value that is itself a directive is not added', original: {}, patch: { simpleMap: { $patch: 'delete' } }, modified: {} },
    { name: 'a scalar replaces a map', original: { simpleMap: { a: 'b' } }, patch: { simpleMap: 'x' }, modified: { simpleMap: 'x' } },
    {
      name: 'replace strategy: the patch map replaces the whole value',
      original: { replacingItem: { a: { b: 1 }, c: 2 } },
      patch: { replacingItem: { a: { d: 3 } } },
      modified: { replacingItem: { a: { d: 3 } } },
    },
  ]);
});

describe('lists', () => {
  runCases([
    { name: 'replace list of scalars (no strategy)', original: { nonMergingIntList: [1, 2] }, patch: { nonMergingIntList: [2, 3] }, modified: { nonMergingIntList: [2, 3] } },
    { name: 'unique scalars when merging lists', original: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, modified: { mergingIntList: [1, 2, 3] } },
    { name: 'preserve the order from the patch in a merging int list', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1, 2] }, modified: { mergingIntList: [3, 1, 2] } },
    { name: 'server-only ints keep their place', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, modified: { mergingIntList: [2, 3, 1] } },
    {
      // Without $setElementOrder an item the live list lacks goes before the server-only items
      // (mergeSortedSlice cannot place it), as in kube.
      name: 'merge lists of maps by merge key',
      original: { mergingList: [{ name: '1', value: 'a' }, { name: '2' }] },
      patch: { mergingList: [{ name: '1', other: 'x' }, { name: '3' }] },
      modified: { mergingList: [{ name: '1', value: 'a', other: 'x' }, { name: '3' }, { name: '2' }] },
    },
    {
      name: 'merge lists of maps (with $setElementOrder, as kubectl sends it)',
      original: { mergingList: [{ name: 1 }, { name: 2, value: 2 }] },
      patch: { '$setElementOrder/mergingList': names(4, 1, 2, 3), mergingList: [{ name: 4, value: 4 }, { name: 3, value: 3 }] },
      modified: { mergingList: [{ name: 4, value: 4 }, { name: 1 }, { name: 2, value: 2 }, { name: 3, value: 3 }] },
    },
    {
      name: 'delete field from map in merging list',
      original: { mergingList: [{ name: '1', value: '1' }, { name: '2', value: '2' }] },
      patch: { mergingList: [{ name: '1', value: null }] },
      modified: { mergingList: [{ name: '1' }, { name: '2', value: '2' }] },
    },
    { name: 'delete map from merging list', original: { mergingList: names(1, 2) }, patch: { mergingList: [{ name: 1, $patch: 'delete' }] }, modified: { mergingList: names(2) } },
    { name: 'delete missing map from merging list', original: { mergingList: names(1, 2) }, patch: { mergingList: [{ name: 3, $patch: 'delete' }] }, modified: { mergingList: names(1, 2) } },
    {
      name: 'add map and delete map from merging list',
      original: { mergingList: names(1, 2) },
      patch: { mergingList: [{ name: 1, $patch: 'delete' }, { name: 3 }] },
      modified: { mergingList: names(3, 2) },
    },
    {
      // kube's answer depends on Go slices sharing the live list's array (see SharedBacking):
      // patch_test.go "add map and delete map from merging list", current + threeWay -> result.
      name: 'add map and delete map with $setElementOrder and server-only items',
      original: { mergingList: [{ name: 1 }, { name: 2, other: 'b' }, { name: 4, other: 'c' }] },
      patch: { '$setElementOrder/mergingList': names(2, 3), mergingList: [{ name: 3 }, { name: 1, $patch: 'delete' }] },
      modified: { mergingList: [{ name: 2, other: 'b' }, { name: 4, other: 'c' }, { name: 3 }] },
    },
    {
      name: 'add map and delete map from merging list with $setElementOrder',
      original: { mergingList: [{ name: 1 }, { name: 2 }] },
      patch: { '$setElementOrder/mergingList': names(2, 3), mergingList: [{ name: 3 }, { name: 1, $patch: 'delete' }] },
      modified: { mergingList: names(2, 3) },
    },
    {
      name: 'delete all duplicate entries in a merging list',
      original: { mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: 'a' }, { name: 3 }, { name: 3 }] },
      patch: { mergingList: [{ name: 1, $patch: 'delete' }, { name: 3, $patch: 'delete' }] },
      modified: { mergingList: [{ name: 2, value: 'a' }] },
    },
    { name: 'delete all items from merging list ($patch: replace element)', original: { mergingList: names(1, 2) }, patch: { mergingList: [{ $patch: 'replace' }] }, modified: { mergingList: [] } },
    {
      name: '$patch: replace element keeps the other patch elements as the list',
      original: { mergingList: names(1, 2) },
      patch: { mergingList: [{ name: 3, value: 'x' }, { $patch: 'replace' }] },
      modified: { mergingList: [{ name: 3, value: 'x' }] },
    },
    { name: 'merge empty merging lists', original: { mergingList: [] }, patch: { mergingList: [] }, modified: { mergingList: [] } },
    {
      name: 'preserve the order from the patch in a merging list',
      original: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
      patch: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, other: 'x' }] },
      modified: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, value: 'b', other: 'x' }] },
    },
    {
      name: 'preserve the order from the patch in a merging list 2',
      original: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
      patch: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] },
      modified: { mergingList: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }] },
    },
    {
      name: 'replace non merging list nested in merging list',
      original: { mergingList: [{ name: 1, nonMergingList: names(1, 2) }, { name: 2 }] },
      patch: { mergingList: [{ name: 1, nonMergingList: names(1) }] },
      modified: { mergingList: [{ name: 1, nonMergingList: names(1) }, { name: 2 }] },
    },
    {
      name: 'add field to map in merging list nested in merging list',
      original: { mergingList: [{ name: 1, mergingList: [{ name: 1 }, { name: 2, value: '2' }] }, { name: 2 }] },
      patch: { mergingList: [{ name: 1, mergingList: [{ name: 1, value: '1' }] }] },
      modified: { mergingList: [{ name: 1, mergingList: [{ name: 1, value: '1' }, { name: 2, value: '2' }] }, { name: 2 }] },
    },
    {
      name: 'merge lists of scalars nested in a merging list',
      original: { mergingList: [{ name: 1, mergingIntList: [1, 2] }] },
      patch: { mergingList: [{ name: 1, mergingIntList: [2, 3] }] },
      modified: { mergingList: [{ name: 1, mergingIntList: [1, 2, 3] }] },
    },
    {
      name: 'a merged list added where the original has none takes the patch as is',
      original: {},
      patch: { mergingList: [{ name: 2 }, { name: 1 }] },
      modified: { mergingList: [{ name: 2 }, { name: 1 }] },
    },
  ]);
});

describe('$deleteFromPrimitiveList', () => {
  runCases([
    { name: 'delete item from a list with merge strategy', original: { mergingIntList: [1, 2, 3] }, patch: { '$deleteFromPrimitiveList/mergingIntList': [2] }, modified: { mergingIntList: [1, 3] } },
    { name: 'delete item from a list without merge strategy', original: { nonMergingIntList: [1, 2, 3] }, patch: { '$deleteFromPrimitiveList/nonMergingIntList': [2] }, modified: { nonMergingIntList: [1, 3] } },
    { name: 'a nonexistent item is not added', original: { mergingIntList: [1, 2] }, patch: { '$deleteFromPrimitiveList/mergingIntList': [3] }, modified: { mergingIntList: [1, 2] } },
    { name: 'on an empty list nothing is added', original: { mergingIntList: null }, patch: { '$deleteFromPrimitiveList/mergingIntList': [3] }, modified: { mergingIntList: null } },
    { name: 'on a nonexistent list nothing is added', original: { foo: ['bar'] }, patch: { '$deleteFromPrimitiveList/mergingIntList': [3] }, modified: { foo: ['bar'] } },
    {
      name: 'add and delete items in lists of scalars',
      original: { mergingIntList: [1, 2, 3] },
      patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] },
      modified: { mergingIntList: [1, 2, 4] },
    },
  ]);
});

describe('$setElementOrder', () => {
  runCases([
    {
      name: 'set elements order in a list',
      original: { mergingList: [{ name: 1 }, { name: 3, value: 3 }, { name: 4, value: 4 }, { name: 2, value: 2 }] },
      patch: { '$setElementOrder/mergingList': names(4, 2, 3, 1) },
      modified: { mergingList: [{ name: 4, value: 4 }, { name: 2, value: 2 }, { name: 3, value: 3 }, { name: 1 }] },
    },
    {
      name: 'set elements order in a list with server-only items',
      original: { mergingList: [{ name: 1, other: 'a' }, { name: 3, value: 3 }, { name: 4, value: 4 }, { name: 2, value: 2 }, { name: 9 }] },
      patch: { '$setElementOrder/mergingList': names(4, 2, 3, 1) },
      modified: { mergingList: [{ name: 4, value: 4 }, { name: 2, value: 2 }, { name: 3, value: 3 }, { name: 1, other: 'a' }, { name: 9 }] },
    },
    {
      name: 'set elements order in a list with server-only items 2',
      original: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2 }, { name: 9 }, { name: 3, value: 3 }, { name: 4, value: 4 }] },
      patch: { '$setElementOrder/mergingList': names(2, 1, 4, 3) },
      modified: { mergingList: [{ name: 2, value: 2 }, { name: 1, other: 'a' }, { name: 9 }, { name: 4, value: 4 }, { name: 3, value: 3 }] },
    },
    {
      name: 'set elements order in a list with server-only items 3',
      original: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2 }, { name: 7 }, { name: 9 }, { name: 8 }, { name: 3, value: 3 }, { name: 4, value: 4 }] },
      patch: { '$setElementOrder/mergingList': names(2, 1, 4, 3) },
      modified: {
        mergingList: [{ name: 2, value: 2 }, { name: 1, other: 'a' }, { name: 7 }, { name: 9 }, { name: 8 }, { name: 4, value: 4 }, { name: 3, value: 3 }],
      },
    },
    {
      name: 'add an item in a list and preserve order',
      original: { mergingList: [{ name: 1 }, { name: 3, value: 3 }] },
      patch: { '$setElementOrder/mergingList': names(1, 2, 3), mergingList: [{ name: 2, value: 2 }] },
      modified: { mergingList: [{ name: 1 }, { name: 2, value: 2 }, { name: 3, value: 3 }] },
    },
    {
      name: 'delete and reorder in one list, reorder in another',
      original: { mergingList: [{ name: 'a', value: 'a' }, { name: 'b', value: 'b' }], mergeItemPtr: [{ name: 'c', value: 'c' }, { name: 'd', value: 'd' }] },
      patch: {
        '$setElementOrder/mergingList': names('b'),
        '$setElementOrder/mergeItemPtr': names('d', 'c'),
        mergingList: [{ $patch: 'delete', name: 'a' }],
      },
      modified: { mergingList: [{ name: 'b', value: 'b' }], mergeItemPtr: [{ name: 'd', value: 'd' }, { name: 'c', value: 'c' }] },
    },
    {
      name: '$setElementOrder contains an item that is not in the list',
      original: { mergingList: names(1, 3) },
      patch: { '$setElementOrder/mergingList': names(3, 2, 1), mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
      modified: { mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
    },
    { name: 'int list: an ordering item that is not in the list', original: { mergingIntList: [1, 3] }, patch: { '$setElementOrder/mergingIntList': [3, 2, 1] }, modified: { mergingIntList: [3, 1] } },
    {
      name: 'set element order for a merging list with duplicates',
      original: { mergingList: [{ name: 1 }, { name: 2, value: 'dup1' }, { name: 3 }, { name: 2, value: 'dup2' }, { name: 4 }] },
      patch: { '$setElementOrder/mergingList': names(2, 1, 4, 3, 2) },
      modified: { mergingList: [{ name: 2, value: 'dup1' }, { name: 2, value: 'dup2' }, { name: 1 }, { name: 4 }, { name: 3 }] },
    },
    { name: 'set element order for a merging int list with duplicates', original: { mergingIntList: [1, 2, 3, 2, 4] }, patch: { '$setElementOrder/mergingIntList': [2, 1, 4, 3, 2] }, modified: { mergingIntList: [2, 2, 1, 4, 3] } },
  ]);
});

describe('retainKeys', () => {
  runCases([
    { name: 'retainKeys map can add a field when no directive is present', original: { retainKeysMap: { name: 'foo' } }, patch: { retainKeysMap: { value: 'bar' } }, modified: { retainKeysMap: { name: 'foo', value: 'bar' } } },
    { name: 'retainKeys map merges an empty map', original: { retainKeysMap: { name: 'foo', value: 'a' } }, patch: { retainKeysMap: {} }, modified: { retainKeysMap: { name: 'foo', value: 'a' } } },
    {
      name: 'retainKeys map should clear defaulted field',
      original: { retainKeysMap: { name: 'foo', value: 'a', other: 'defaulted' } },
      patch: { retainKeysMap: { $retainKeys: ['name', 'value'] } },
      modified: { retainKeysMap: { name: 'foo', value: 'a' } },
    },
    {
      name: 'retainKeys map adds a field and clears a field',
      original: { retainKeysMap: { name: 'foo', value: 'a' } },
      patch: { retainKeysMap: { $retainKeys: ['name', 'other'], other: 'b' } },
      modified: { retainKeysMap: { name: 'foo', other: 'b' } },
    },
    {
      name: 'retainKeys map deletes a field (a null need not be listed)',
      original: { retainKeysMap: { name: 'foo', value: 'a' } },
      patch: { retainKeysMap: { $retainKeys: ['name'], value: null } },
      modified: { retainKeysMap: { name: 'foo' } },
    },
    {
      name: 'retainKeys map adds an item in a nested merging int list',
      original: { retainKeysMap: { name: 'foo', mergingIntList: [1, 2] } },
      patch: { retainKeysMap: { $retainKeys: ['name', 'mergingIntList'], mergingIntList: [3], '$setElementOrder/mergingIntList': [1, 2, 3] } },
      modified: { retainKeysMap: { name: 'foo', mergingIntList: [1, 2, 3] } },
    },
    {
      name: 'retainKeys list of maps clears a field',
      original: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a', other: 'x' }] },
      patch: { retainKeysMergingList: [{ name: 'foo', $retainKeys: ['name', 'value'] }] },
      modified: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
    },
  ]);
});

/** Runs a patch that must fail and returns the error. */
function failure(original: JSONMap, patch: JSONMap): StrategicMergePatchError {
  try {
    apply(original, patch);
  } catch (err) {
    assert.ok(err instanceof StrategicMergePatchError, String(err));
    return err;
  }
  assert.fail('the patch applied');
}

describe('bad patches: kube\'s error texts', () => {
  test('missing merge key', () => {
    const err = failure({ mergingList: [{ name: 1, value: 'a' }] }, { mergingList: [{ value: 'b' }] });
    assert.equal(err.message, 'map: map[value:b] does not contain declared merge key: name');
    assert.equal(err.sentinel, undefined);
  });

  test('$patch: delete element without the merge key', () => {
    const err = failure({ mergingList: names(1) }, { mergingList: [{ $patch: 'delete', value: 'x' }] });
    assert.equal(err.message, 'map: map[$patch:delete value:x] does not contain declared merge key: name');
  });

  test('order in $setElementOrder and the patch list differ', () => {
    const err = failure({ mergingList: names(1, 3, 2) }, { '$setElementOrder/mergingList': names(1, 2, 3), mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] });
    assert.equal(
      err.message,
      "The order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n",
    );
    const ints = failure({ mergingIntList: [1, 3, 2] }, { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] });
    assert.match(ints.message, /doesn't match \$setElementOrder list:\n\[1 2 3\]/);
  });

  test('unknown $patch in a map and $patch: merge in a list', () => {
    assert.equal(failure({ simpleMap: { a: 'b' } }, { simpleMap: { $patch: 'merge' } }).message, 'unknown patch type: merge in map: map[$patch:merge]');
    assert.equal(failure({ name: 'x' }, { $patch: 5 }).message, 'unknown patch type: %!s(int64=5) in map: map[$patch:5]');
    assert.equal(failure({ mergingList: names(1) }, { mergingList: [{ $patch: 'merge' }] }).message, 'merging lists cannot yet be specified in the patch');
    assert.equal(failure({ mergingList: names(1) }, { mergingList: [{ $patch: 'x', name: 1 }] }).message, 'unknown patch type: x in map: map[$patch:x name:1]');
  });

  test('malformed directives are the 400 sentinels', () => {
    const retain = failure({ retainKeysMap: { name: 'a' } }, { retainKeysMap: { $retainKeys: 'name' } });
    assert.equal(retain.sentinel, 'ErrBadPatchFormatForRetainKeys');
    assert.equal(retain.message, 'invalid patch format of retainKeys');
    const notListed = failure({ retainKeysMap: { name: 'a' } }, { retainKeysMap: { $retainKeys: ['name'], value: 'v' } });
    assert.equal(notListed.sentinel, 'ErrBadPatchFormatForRetainKeys');
    const order = failure({ mergingList: names(1) }, { '$setElementOrder/mergingList': 'x' });
    assert.equal(order.message, 'expected a []interface {}, but received a string');
    const orderList = failure({ mergingList: names(1) }, { '$setElementOrder/mergingList': [{ name: 1 }], mergingList: 'x' });
    assert.equal(orderList.message, 'expected a []interface {}, but received a string');
    const bare = failure({ mergingIntList: [1] }, { $setElementOrder: [1] });
    assert.equal(bare.sentinel, 'ErrBadPatchFormatForSetElementOrderList');
    const prim = failure({ mergingIntList: [1] }, { $deleteFromPrimitiveList: [1] });
    assert.equal(prim.sentinel, 'ErrBadPatchFormatForPrimitiveList');
    assert.equal(prim.message, 'invalid patch format of primitive list');
  });

  test('lists of lists and mixed element types', () => {
    const lists = failure({ mergingIntList: [[1]] }, { mergingIntList: [[2]] });
    assert.equal(lists.sentinel, 'ErrNoListOfLists');
    assert.equal(failure({ mergingIntList: [1] }, { mergingIntList: ['a'] }).message, 'list element types are not identical: [[1] [a]]');
  });

  test('schema lookups fail as Go struct lookups do', () => {
    // Both sides are maps under a field RawExtension does not have.
    assert.equal(
      failure({ rawExtension: { a: { b: 1 } } }, { rawExtension: { a: { c: 2 } } }).message,
      'unable to find api field in struct RawExtension for the json field "a"',
    );
    assert.equal(failure({ unknown: { a: 1 } }, { unknown: { a: 2 } }).message, 'unable to find api field in struct mergeItem for the json field "unknown"');
    assert.equal(failure({ simpleMap: { a: { b: 1 } } }, { simpleMap: { a: { c: 1 } } }).message, 'merging an object in json but data type is not struct, instead is: map');
    assert.equal(failure({ name: [1] }, { '$setElementOrder/name': [1] }).message, 'expected slice or array type, but got: struct');
    // Scalars and values the original lacks never need a lookup.
    assert.deepEqual(apply({ rawExtension: { a: 1 } }, { rawExtension: { a: 2, b: { c: 1 } } }), { rawExtension: { a: 2, b: { c: 1 } } });
  });

  test('a list of maps with merge strategy but no merge key', () => {
    assert.equal(failure({ nonMergingList: names(1) }, { '$deleteFromPrimitiveList/nonMergingList': names(1) }).message, 'cannot merge lists without merge key for struct');
  });
});

describe('bounds', () => {
  test('a patch nested deeper than MAX_MERGE_DEPTH fails cleanly', () => {
    let original: JSONMap = { name: 'leaf' };
    let patch: JSONMap = { value: 'x' };
    for (let i = 0; i < MAX_MERGE_DEPTH + 5; i++) {
      original = { mergingList: [original] };
      patch = { mergingList: [patch] };
      (original.mergingList as JSONMap[])[0]!.name ??= 'n';
      (patch.mergingList as JSONMap[])[0]!.name ??= 'n';
    }
    const err = failure(original, patch);
    assert.equal(err.sentinel, 'ErrBadJSONDoc');
  });

  test('an added value as deep as Go decodes is taken without recursion', () => {
    let patch: unknown = { leaf: 1, gone: null };
    for (let i = 0; i < 10_000; i++) patch = { x: patch, d: { $patch: 'delete' } };
    // No structuredClone here: it recurses.
    const merged = strategicMergeMapPatch({}, { simpleMap: patch }, schema);
    let node = merged.simpleMap as JSONMap;
    let depth = 0;
    while (node.x !== undefined) {
      assert.equal(node.d, undefined);
      node = node.x as JSONMap;
      depth++;
    }
    assert.equal(depth, 10_000);
    assert.deepEqual(node, { leaf: 1 });
  });

  test('merging a large list by merge key is not quadratic', () => {
    const n = 50_000;
    const original = { mergingList: Array.from({ length: n }, (_, i) => ({ name: `o${i}` })) };
    const patch = { mergingList: Array.from({ length: n }, (_, i) => ({ name: `p${i}`, value: 'v' })) };
    const start = Date.now();
    const merged = apply(original, patch);
    assert.equal((merged.mergingList as unknown[]).length, 2 * n);
    assert.ok(Date.now() - start < 10_000, 'took too long');
  });
});

describe('goSliceStable', () => {
  test('matches a stable sort for a consistent order, over many block sizes', () => {
    for (const n of [0, 1, 5, 20, 21, 47, 100, 1000]) {
      const data = Array.from({ length: n }, (_, i) => ({ key: (i * 7919) % 13, i }));
      const expected = [...data].sort((a, b) => a.key - b.key);
      goSliceStable(data, (a, b) => a.key < b.key);
      assert.deepEqual(data, expected);
    }
  });
});
