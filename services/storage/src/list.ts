// LIST over the KV with kube-apiserver's semantics: label and field selectors (field labels
// converted by the kind's conversion func), limit/continue pages that all read at the first
// page's revision, remainingItemCount, and the resourceVersion / resourceVersionMatch rules
// (unset or "0": current; NotOlderThan N: current, once it is >= N; Exact N, and the legacy
// unset match with a limit: the state at revision N). Errors as ValidateListOptions
// (apis/meta/internalversion/validation), storage.ValidateListOptions and etcd3 GetList answer.

import {
  type KindFieldSelection,
  type KubeObject,
  apiVersionOf,
  continueAfter,
  decodeContinue,
  newContinueTooOld,
  newContinueWithResourceVersion,
  newInvalid,
  newListResourceVersionTooOld,
  newTooLargeResourceVersion,
  parseFieldSelector,
  parseLabelSelector,
  parseResourceVersion,
  validateListOptions,
} from '@kapi/apimachinery';
import { KVError, prefixEnd } from '@kapi/kv';
import type { ResourceInfo } from '@kapi/schema';
import type { ObjectStore } from './object-store.js';

export interface ListRequestOptions {
  labelSelector: string;
  fieldSelector: string;
  /** 0 (or negative) = no limit. */
  limit: number;
  continue: string;
  resourceVersion: string;
  resourceVersionMatch: string;
}

/** What the kind contributes to field selection (shared with the watch cache and gateway). */
export type FieldSelection = KindFieldSelection;

/** Keys read per KV page when selectors filter, so a selective list does not read everything
 * in one go nor make one KV call per item. */
const FILTERED_PAGE_SIZE = 500;

/** kube's ValidateListOptions for a list (the gateway runs it too; other bus callers rely on
 * this one). limit is not validated: a negative one lists everything, as etcd3 GetList pages
 * only when limit > 0. */
function validate(options: ListRequestOptions): void {
  const errors = validateListOptions(options);
  if (errors.length > 0) throw newInvalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errors);
}

/** Where a list reads, as storage.ValidateListOptions decides it. */
interface ReadPosition {
  /** The revision to read at; 0 = the current one. */
  revision: number;
  /** The key to start at. */
  start: string;
  /** The revision the result must not be older than (NotOlderThan and unset matches). */
  minimum: number;
}

function readPosition(options: ListRequestOptions, prefix: string, limit: number): ReadPosition {
  if (options.continue !== '') {
    const position = decodeContinue(options.continue, prefix);
    if (options.resourceVersion !== '' && options.resourceVersion !== '0') throw newContinueWithResourceVersion();
    // -1: an inconsistent continuation (after a 410) reads the latest state.
    return { revision: position.resourceVersion > 0 ? position.resourceVersion : 0, start: position.fromKey, minimum: 0 };
  }
  if (options.resourceVersion === '') return { revision: 0, start: prefix, minimum: 0 };
  const requested = parseResourceVersion(options.resourceVersion);
  const exact =
    options.resourceVersionMatch === 'Exact' ||
    // The legacy match: a paged list at a resourceVersion reads at exactly that revision.
    (options.resourceVersionMatch === '' && limit > 0 && requested > 0);
  return { revision: exact ? requested : 0, start: prefix, minimum: requested };
}

export async function listObjects(
  store: ObjectStore,
  info: ResourceInfo,
  prefix: string,
  options: ListRequestOptions,
  selection: FieldSelection,
): Promise<KubeObject> {
  validate(options);
  const labels = parseLabelSelector(options.labelSelector);
  const fields = parseFieldSelector(options.fieldSelector).transform(selection.convertFieldLabel);
  const selectableFields = selection.selectableFields;
  const filtering = !labels.empty() || !fields.empty();
  const matches = (object: KubeObject): boolean => {
    const metadata = object.metadata ?? {};
    if (!labels.matches(metadata.labels ?? {})) return false;
    if (fields.empty()) return true;
    return fields.matches({
      'metadata.name': metadata.name ?? '',
      'metadata.namespace': metadata.namespace ?? '',
      ...(selectableFields?.(object) ?? {}),
    });
  };

  const limit = options.limit > 0 ? options.limit : 0;
  const position = readPosition(options, prefix, limit);
  let revision = position.revision;
  let start = position.start;

  const end = prefixEnd(prefix);
  const items: KubeObject[] = [];
  let lastReturnedKey: string | undefined;
  let remaining: number | undefined;
  try {
    for (;;) {
      const pageLimit = limit === 0 ? 0 : filtering ? Math.max(FILTERED_PAGE_SIZE, limit) : limit - items.length;
      const page = await store.range(start, { end, limit: pageLimit, revision });
      // The storage.Interface guarantee: the data is at least as new as asked.
      if (position.minimum > page.revision) throw newTooLargeResourceVersion(position.minimum, page.revision, 0);
      revision = page.revision > 0 && revision === 0 ? page.revision : revision;
      let index = 0;
      for (; index < page.objects.length && (limit === 0 || items.length < limit); index++) {
        const object = page.objects[index]!.object;
        if (matches(object)) items.push(object);
      }
      const lastKey = page.keys[index - 1];
      const leftInPage = index < page.objects.length;
      if (limit !== 0 && items.length >= limit && (leftInPage || page.more)) {
        lastReturnedKey = lastKey!;
        if (!filtering) remaining = page.count - index;
        break;
      }
      if (!page.more) break;
      start = lastKey! + '\0';
    }
  } catch (err) {
    if (err instanceof KVError && err.code === 'FutureRevision') {
      throw newTooLargeResourceVersion(revision, await store.kv.currentRevision(), 0);
    }
    if (err instanceof KVError && err.code === 'Compacted') {
      if (options.continue !== '') throw newContinueTooOld(start, prefix);
      throw newListResourceVersionTooOld();
    }
    throw err;
  }

  const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(revision) };
  if (lastReturnedKey !== undefined) metadata.continue = continueAfter(lastReturnedKey, prefix, revision);
  if (remaining !== undefined && remaining > 0) metadata.remainingItemCount = remaining;
  for (const item of items) {
    // Items of a built-in list carry no apiVersion/kind, as kube-apiserver serializes them.
    delete item.apiVersion;
    delete item.kind;
  }
  return { apiVersion: apiVersionOf(info.group, info.version), kind: info.listKind, metadata, items };
}
