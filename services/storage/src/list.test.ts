// LIST through the registry against kube-apiserver's etcd3 store (storage/etcd3/store.go GetList,
// storage.ValidateListOptions, apis/meta/internalversion/validation.ValidateListOptions): selectors,
// namespaces, pages read at the first page's revision, remainingItemCount, resourceVersion /
// resourceVersionMatch, continue tokens after compaction.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeContinue, type KubeObject } from '@kapi/apimachinery';
import {
  createConfigMap,
  createNamespace,
  expectStatus,
  listOptions,
  names,
  newHarness,
  objectOf,
  podBody,
  scope,
  writeOptions,
  type Harness,
  type ListResult,
  type ResourceName,
} from './testing-support.js';
import type { ListRequestOptions } from './list.js';

const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

async function list(h: Harness, resource: ResourceName, namespace: string, options: Partial<ListRequestOptions> = {}): Promise<ListResult> {
  return (await h.registry.list(scope(resource, namespace), listOptions(options))) as unknown as ListResult;
}

/** Namespaces a and b; ConfigMaps cm-1..cm-5 in a (odd ones tier=web, even ones tier=db, cm-5
 * without tier) and cm-x in b. */
async function fixture(): Promise<Harness> {
  const h = newHarness();
  await createNamespace(h, 'a');
  await createNamespace(h, 'b');
  for (let i = 1; i <= 5; i++) {
    const labels: Record<string, string> = { n: String(i) };
    if (i < 5) labels.tier = i % 2 === 1 ? 'web' : 'db';
    await createConfigMap(h, 'a', `cm-${i}`, { labels, data: { v: `${i}` } });
  }
  await createConfigMap(h, 'b', 'cm-x', { labels: { tier: 'web' } });
  return h;
}

describe('namespaces and shape', () => {
  test('one namespace or all of them, in key order', async () => {
    const h = await fixture();
    assert.deepEqual(names(await list(h, 'configmaps', 'a')), ['cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5']);
    assert.deepEqual(names(await list(h, 'configmaps', 'b')), ['cm-x']);
    const all = await list(h, 'configmaps', '');
    assert.deepEqual(
      all.items.map((i) => `${i.metadata!.namespace}/${i.metadata!.name}`),
      ['a/cm-1', 'a/cm-2', 'a/cm-3', 'a/cm-4', 'a/cm-5', 'b/cm-x'],
    );
    assert.deepEqual(names(await list(h, 'namespaces', '')), ['a', 'b']);
    assert.deepEqual(names(await list(h, 'configmaps', 'nope')), []);
  });

  test('a namespace whose name prefixes another does not leak into it', async () => {
    const h = newHarness();
    await createNamespace(h, 'ab');
    await createNamespace(h, 'a');
    await createConfigMap(h, 'ab', 'in-ab');
    await createConfigMap(h, 'a', 'in-a');
    assert.deepEqual(names(await list(h, 'configmaps', 'a')), ['in-a']);
  });

  test('the list: apiVersion and list kind; items without apiVersion/kind; resourceVersion = the revision read', async () => {
    const h = await fixture();
    const result = await list(h, 'configmaps', 'a');
    assert.equal(result.apiVersion, 'v1');
    assert.equal(result.kind, 'ConfigMapList');
    assert.deepEqual(result.metadata, { resourceVersion: String(await h.kv.currentRevision()) });
    for (const item of result.items) {
      assert.equal(item.apiVersion, undefined);
      assert.equal(item.kind, undefined);
      assert.ok(item.metadata!.resourceVersion);
    }
    // get still answers apiVersion/kind
    const one = await h.registry.get(scope('configmaps', 'a', 'cm-1'));
    assert.equal(one.kind, 'ConfigMap');
    assert.deepEqual({ ...one, apiVersion: undefined, kind: undefined }, { ...result.items[0], apiVersion: undefined, kind: undefined });

    const deployments = await list(h, 'deployments', 'a');
    assert.equal(deployments.apiVersion, 'apps/v1');
    assert.equal(deployments.kind, 'DeploymentList');
    assert.deepEqual(deployments.items, []);
    assert.equal(deployments.metadata.resourceVersion, String(await h.kv.currentRevision()), 'an empty list still carries the revision');
  });
});

describe('selectors', () => {
  test('label selectors', async () => {
    const h = await fixture();
    assert.deepEqual(names(await list(h, 'configmaps', 'a', { labelSelector: 'tier=web' })), ['cm-1', 'cm-3']);
    assert.deepEqual(names(await list(h, 'configmaps', 'a', { labelSelector: 'tier!=web' })), ['cm-2', 'cm-4', 'cm-5']);
    assert.deepEqual(names(await list(h, 'configmaps', 'a', { labelSelector: 'tier in (web,db),n notin (1)' })), ['cm-2', 'cm-3', 'cm-4']);
    assert.deepEqual(names(await list(h, 'configmaps', 'a', { labelSelector: '!tier' })), ['cm-5']);
    assert.deepEqual(names(await list(h, 'configmaps', 'a', { labelSelector: 'tier' })), ['cm-1', 'cm-2', 'cm-3', 'cm-4']);
    assert.deepEqual(names(await list(h, 'configmaps', '', { labelSelector: 'tier=web' })), ['cm-1', 'cm-3', 'cm-x']);
  });

  test('field selectors on metadata.name and metadata.namespace', async () => {
    const h = await fixture();
    assert.deepEqual(names(await list(h, 'configmaps', 'a', { fieldSelector: 'metadata.name=cm-2' })), ['cm-2']);
    assert.deepEqual(names(await list(h, 'configmaps', 'a', { fieldSelector: 'metadata.name!=cm-2' })), ['cm-1', 'cm-3', 'cm-4', 'cm-5']);
    assert.deepEqual(names(await list(h, 'configmaps', '', { fieldSelector: 'metadata.namespace=b' })), ['cm-x']);
    assert.deepEqual(
      names(await list(h, 'configmaps', '', { fieldSelector: 'metadata.namespace=a', labelSelector: 'tier=db' })),
      ['cm-2', 'cm-4'],
    );
  });

  test('pods select on status.phase and spec.nodeName; an unsupported field is a 400', async () => {
    const h = newHarness();
    await createNamespace(h, 'a');
    for (const [name, node] of [['p1', 'n1'], ['p2', 'n2'], ['p3', '']] as const) {
      await h.registry.create(scope('pods', 'a'), podBody(name, node ? { nodeName: node } : {}), writeOptions());
    }
    const p1 = await h.registry.get(scope('pods', 'a', 'p1'));
    await h.registry.update(scope('pods', 'a', 'p1', 'status'), { ...p1, status: { phase: 'Running' } }, writeOptions());
    assert.deepEqual(names(await list(h, 'pods', 'a', { fieldSelector: 'status.phase=Running' })), ['p1']);
    assert.deepEqual(names(await list(h, 'pods', 'a', { fieldSelector: 'status.phase=Pending' })), ['p2', 'p3']);
    assert.deepEqual(names(await list(h, 'pods', 'a', { fieldSelector: 'status.phase!=Pending' })), ['p1']);
    assert.deepEqual(names(await list(h, 'pods', 'a', { fieldSelector: 'spec.nodeName=n2' })), ['p2']);
    assert.deepEqual(names(await list(h, 'pods', 'a', { fieldSelector: 'spec.nodeName=' })), ['p3']);
    assert.deepEqual(names(await list(h, 'pods', '', { fieldSelector: 'spec.nodeName=n1,status.phase=Running' })), ['p1']);
    await expectStatus(h.registry.list(scope('pods', 'a'), listOptions({ fieldSelector: 'spec.foo=x' })), {
      code: 400,
      reason: 'BadRequest',
      message: 'field label not supported: spec.foo',
    });
  });

  test('pods: the legacy spec.host label selects on spec.nodeName', async () => {
    const h = newHarness();
    await createNamespace(h, 'a');
    await h.registry.create(scope('pods', 'a'), podBody('p1', { nodeName: 'n1' }), writeOptions());
    await h.registry.create(scope('pods', 'a'), podBody('p2', { nodeName: 'n2' }), writeOptions());
    assert.deepEqual(names(await list(h, 'pods', 'a', { fieldSelector: 'spec.host=n2' })), ['p2']);
  });

  test('ConfigMaps refuse field selectors beyond metadata: 400', async () => {
    const h = await fixture();
    await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions({ fieldSelector: 'data.v=1' })), { code: 400, reason: 'BadRequest' });
  });

  // kube: ConfigMap has no field label conversion func, so
  // runtime.DefaultMetaV1FieldSelectorConversion answers `"data.v" is not a known field selector:
  // only "metadata.name", "metadata.namespace"`; "field label not supported: x" is the text of the
  // types with their own conversion (pods, nodes, events, secrets, ...).
  test('ConfigMaps: kube\'s text for an unsupported field is the default conversion\'s', async () => {
    const h = await fixture();
    await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions({ fieldSelector: 'data.v=1' })), {
      code: 400,
      reason: 'BadRequest',
      message: '"data.v" is not a known field selector: only "metadata.name", "metadata.namespace"',
    });
  });
});

describe('limit and continue', () => {
  test('pages are read at the first page\'s revision: later writes do not show; remainingItemCount counts what is left', async () => {
    const h = await fixture();
    const first = await list(h, 'configmaps', 'a', { limit: 2 });
    const rv = first.metadata.resourceVersion;
    assert.equal(rv, String(await h.kv.currentRevision()));
    assert.deepEqual(names(first), ['cm-1', 'cm-2']);
    assert.equal(first.metadata.remainingItemCount, 3);
    assert.ok(first.metadata.continue);
    const token = decodeContinue(first.metadata.continue!, '/registry/configmaps/a/');
    assert.equal(token.resourceVersion, Number(rv));
    assert.equal(token.fromKey, '/registry/configmaps/a/cm-2\x00');

    // Writes between pages.
    await createConfigMap(h, 'a', 'cm-6');
    const cm3 = await h.registry.get(scope('configmaps', 'a', 'cm-3'));
    await h.registry.update(scope('configmaps', 'a', 'cm-3'), { ...cm3, data: { v: 'changed' } }, writeOptions());
    await h.registry.delete(scope('configmaps', 'a', 'cm-4'), { dryRun: false });

    const second = await list(h, 'configmaps', 'a', { limit: 2, continue: first.metadata.continue! });
    assert.deepEqual(names(second), ['cm-3', 'cm-4']);
    assert.deepEqual(second.items[0]!.data, { v: '3' }, 'the page shows cm-3 as it was at the first page\'s revision');
    assert.equal(second.metadata.resourceVersion, rv);
    assert.equal(second.metadata.remainingItemCount, 1);

    const third = await list(h, 'configmaps', 'a', { limit: 2, continue: second.metadata.continue! });
    assert.deepEqual(names(third), ['cm-5']);
    assert.deepEqual(third.metadata, { resourceVersion: rv });
  });

  test('a limit that covers everything gives no continue and no remainingItemCount', async () => {
    const h = await fixture();
    const exact = await list(h, 'configmaps', 'a', { limit: 5 });
    assert.deepEqual(exact.metadata, { resourceVersion: String(await h.kv.currentRevision()) });
    assert.equal(exact.items.length, 5);
    const more = await list(h, 'configmaps', 'a', { limit: 50 });
    assert.equal(more.metadata.continue, undefined);
  });

  test('with selectors: pages hold matches only, and remainingItemCount is not given', async () => {
    const h = await fixture();
    const first = await list(h, 'configmaps', '', { limit: 1, labelSelector: 'tier=web' });
    assert.deepEqual(names(first), ['cm-1']);
    assert.equal(first.metadata.remainingItemCount, undefined);
    assert.ok(first.metadata.continue);
    const second = await list(h, 'configmaps', '', { limit: 1, labelSelector: 'tier=web', continue: first.metadata.continue! });
    assert.deepEqual(names(second), ['cm-3']);
    const third = await list(h, 'configmaps', '', { limit: 1, labelSelector: 'tier=web', continue: second.metadata.continue! });
    assert.deepEqual(names(third), ['cm-x']);
    assert.equal(third.metadata.continue, undefined);
  });

  test('continue with a resourceVersion: 400; a malformed token: 400', async () => {
    const h = await fixture();
    const first = await list(h, 'configmaps', 'a', { limit: 2 });
    await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions({ continue: first.metadata.continue!, resourceVersion: '3' })), {
      code: 400,
      reason: 'BadRequest',
      message: 'specifying resource version is not allowed when using continue',
    });
    // "0" is allowed with continue.
    assert.deepEqual(names(await list(h, 'configmaps', 'a', { limit: 2, continue: first.metadata.continue!, resourceVersion: '0' })), ['cm-3', 'cm-4']);
    await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions({ continue: '!!!' })), {
      code: 400,
      reason: 'BadRequest',
      message: /^invalid continue token: continue key is not valid/,
    });
  });

  test('a continue token whose revision was compacted: 410 Expired carrying a token that resumes at the latest state', async () => {
    const h = await fixture();
    const first = await list(h, 'configmaps', 'a', { limit: 2 });
    await createConfigMap(h, 'a', 'cm-6');
    await h.registry.delete(scope('configmaps', 'a', 'cm-3'), { dryRun: false });
    await h.kv.compact(await h.kv.currentRevision());
    const status = await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions({ limit: 2, continue: first.metadata.continue! })), {
      code: 410,
      reason: 'Expired',
      message: INCONSISTENT_CONTINUE,
    });
    const fresh = status.metadata.continue;
    assert.ok(fresh, 'the 410 carries a continue token');
    const position = decodeContinue(fresh, '/registry/configmaps/a/');
    assert.equal(position.resourceVersion, -1);
    assert.equal(position.fromKey, '/registry/configmaps/a/cm-2\x00');
    const rest = await list(h, 'configmaps', 'a', { continue: fresh });
    assert.deepEqual(names(rest), ['cm-4', 'cm-5', 'cm-6']);
    assert.equal(rest.metadata.resourceVersion, String(await h.kv.currentRevision()));
  });

  // kube does not validate limit in ValidateListOptions; etcd3 GetList pages only when limit > 0,
  // so limit=-1 lists everything.
  test('a negative limit means no limit', async () => {
    const h = await fixture();
    assert.equal((await list(h, 'configmaps', 'a', { limit: -1 })).items.length, 5);
  });
});

describe('resourceVersion and resourceVersionMatch', () => {
  test('Exact reads the state at that revision; the list carries that revision', async () => {
    const h = await fixture();
    const rv = String(await h.kv.currentRevision());
    await createConfigMap(h, 'a', 'cm-6');
    const cm1 = await h.registry.get(scope('configmaps', 'a', 'cm-1'));
    await h.registry.update(scope('configmaps', 'a', 'cm-1'), { ...cm1, data: { v: 'new' } }, writeOptions());
    await h.registry.delete(scope('configmaps', 'a', 'cm-2'), { dryRun: false });
    const old = await list(h, 'configmaps', 'a', { resourceVersion: rv, resourceVersionMatch: 'Exact' });
    assert.deepEqual(names(old), ['cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5']);
    assert.deepEqual(old.items[0]!.data, { v: '1' });
    assert.equal(old.metadata.resourceVersion, rv);
    const paged = await list(h, 'configmaps', 'a', { resourceVersion: rv, resourceVersionMatch: 'Exact', limit: 3 });
    assert.deepEqual(names(paged), ['cm-1', 'cm-2', 'cm-3']);
    assert.equal(paged.metadata.resourceVersion, rv);
    assert.equal(paged.metadata.remainingItemCount, 2);
    assert.deepEqual(names(await list(h, 'configmaps', 'a', { continue: paged.metadata.continue! })), ['cm-4', 'cm-5']);
  });

  test('NotOlderThan (and no match) with a reached revision read the current state', async () => {
    const h = await fixture();
    const rv = String(await h.kv.currentRevision());
    await createConfigMap(h, 'a', 'cm-6');
    const current = String(await h.kv.currentRevision());
    for (const match of ['NotOlderThan', '']) {
      const result = await list(h, 'configmaps', 'a', { resourceVersion: rv, resourceVersionMatch: match });
      assert.equal(result.items.length, 6, match);
      assert.equal(result.metadata.resourceVersion, current, match);
    }
    const zero = await list(h, 'configmaps', 'a', { resourceVersion: '0' });
    assert.equal(zero.items.length, 6);
  });

  test('NotOlderThan a revision the store has not reached: 504 Timeout with cause ResourceVersionTooLarge', async () => {
    const h = await fixture();
    const current = await h.kv.currentRevision();
    const status = await expectStatus(
      h.registry.list(scope('configmaps', 'a'), listOptions({ resourceVersion: '1000', resourceVersionMatch: 'NotOlderThan' })),
      { code: 504, reason: 'Timeout', message: `Timeout: Too large resource version: 1000, current: ${current}` },
    );
    assert.deepEqual(status.details?.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
    await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions({ resourceVersion: '1000' })), { code: 504, reason: 'Timeout' });
  });

  // kube: etcd3 GetList maps etcd's ErrFutureRev to storage.NewTooLargeResourceVersionError(rv,
  // current, 0).
  test('Exact at a revision the store has not reached: 504 Timeout with cause ResourceVersionTooLarge', async () => {
    const h = await fixture();
    const current = await h.kv.currentRevision();
    const status = await expectStatus(
      h.registry.list(scope('configmaps', 'a'), listOptions({ resourceVersion: '1000', resourceVersionMatch: 'Exact' })),
      { code: 504, reason: 'Timeout', message: `Timeout: Too large resource version: 1000, current: ${current}` },
    );
    assert.deepEqual(status.details, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] });
  });

  test('Exact at a compacted revision: 410 Expired', async () => {
    const h = await fixture();
    const rv = String(await h.kv.currentRevision());
    await createConfigMap(h, 'a', 'cm-6');
    await h.kv.compact(await h.kv.currentRevision());
    await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions({ resourceVersion: rv, resourceVersionMatch: 'Exact' })), {
      code: 410,
      reason: 'Expired',
      message: 'The resourceVersion for the provided list is too old.',
    });
  });

  // kube: storage.ValidateListOptions: ResourceVersionMatch "" with limit > 0 and resourceVersion >
  // 0 reads at that revision ("legacy exact match", also cacher.shouldDelegateList).
  test('legacy match ("") with a limit reads at exactly that revision', async () => {
    const h = await fixture();
    const rv = String(await h.kv.currentRevision());
    await createConfigMap(h, 'a', 'cm-0');
    const result = await list(h, 'configmaps', 'a', { resourceVersion: rv, limit: 2 });
    assert.deepEqual(names(result), ['cm-1', 'cm-2']);
    assert.equal(result.metadata.resourceVersion, rv);
  });

  test('an unparsable resourceVersion: 400', async () => {
    const h = await fixture();
    for (const match of ['Exact', 'NotOlderThan']) {
      await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions({ resourceVersion: 'abc', resourceVersionMatch: match })), {
        code: 400,
        reason: 'BadRequest',
        message: 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
      });
    }
  });

  test('ListOptions validation: 422 Invalid on meta.k8s.io ListOptions', async () => {
    const h = await fixture();
    const cases: [Partial<ListRequestOptions>, { reason: string; message: string; field: string }][] = [
      [
        { resourceVersionMatch: 'NotOlderThan' },
        { reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' },
      ],
      [
        { resourceVersion: '1', resourceVersionMatch: 'Bogus' },
        { reason: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: 'Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""' },
      ],
      [
        { resourceVersion: '0', resourceVersionMatch: 'Exact' },
        { reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"' },
      ],
    ];
    for (const [options, cause] of cases) {
      await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions(options)), {
        code: 422,
        reason: 'Invalid',
        message: `ListOptions.meta.k8s.io "" is invalid: ${cause.field}: ${cause.message}`,
        details: { group: 'meta.k8s.io', kind: 'ListOptions', causes: [cause] },
      });
    }
    const first = await list(h, 'configmaps', 'a', { limit: 2 });
    await expectStatus(
      h.registry.list(scope('configmaps', 'a'), listOptions({ continue: first.metadata.continue!, resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' })),
      {
        code: 422,
        reason: 'Invalid',
        message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided',
      },
    );
  });

  // kube: ValidateListOptions collects all errors (unless-RV, continue, NotSupported, exact-0, in
  // that order) into one Invalid.
  test('ListOptions validation reports every error, in kube\'s order', async () => {
    const h = await fixture();
    await expectStatus(h.registry.list(scope('configmaps', 'a'), listOptions({ resourceVersionMatch: 'Bogus' })), {
      code: 422,
      reason: 'Invalid',
      message:
        'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, ' +
        'resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""]',
    });
  });
});

describe('list after writes', () => {
  test('items carry their own resourceVersions; the list the revision of the read', async () => {
    const h = newHarness();
    await createNamespace(h, 'a');
    const created: KubeObject[] = [];
    for (const name of ['x', 'y', 'z']) created.push(await createConfigMap(h, 'a', name));
    const y = objectOf(await h.registry.update(scope('configmaps', 'a', 'y'), { ...created[1], data: { k: 'v2' } }, writeOptions()));
    const result = await list(h, 'configmaps', 'a');
    assert.deepEqual(
      result.items.map((i) => i.metadata!.resourceVersion),
      [created[0]!.metadata!.resourceVersion, y.metadata!.resourceVersion, created[2]!.metadata!.resourceVersion],
    );
    assert.equal(result.metadata.resourceVersion, y.metadata!.resourceVersion);
  });
});
