// LIST over the KV with kube-apiserver's semantics: label and field selectors, limit/continue
// pages that all read at the first page's revision, remainingItemCount, and the resourceVersion /
// resourceVersionMatch rules (unset or "0": current; NotOlderThan N: current, once it is >= N;
// Exact N: the state at revision N).

import {
  type KubeObject,
  checkFieldSelectorFields,
  continueAfter,
  decodeContinue,
  forbidden,
  invalid,
  newContinueTooOld,
  newContinueWithResourceVersion,
  newInvalid,
  newListResourceVersionTooOld,
  newTooLargeResourceVersion,
  notSupported,
  parseFieldSelector,
  parseLabelSelector,
  parseResourceVersion,
  type FieldError,
  type StatusError,
} from '@kapi/apimachinery';
import { KVError, prefixEnd } from '@kapi/kv';
import type { ResourceInfo } from '@kapi/schema';
import type { ObjectStore } from './object-store.js';

export interface ListRequestOptions {
  labelSelector: string;
  fieldSelector: string;
  /** 0 = no limit. */
  limit: number;
  continue: string;
  resourceVersion: string;
  resourceVersionMatch: string;
}

export type SelectableFields = (object: KubeObject) => Record<string, string>;

/** Keys read per KV page when selectors filter, so a selective list does not read everything
 * in one go nor make one KV call per item. */
const FILTERED_PAGE_SIZE = 500;

function listOptionsInvalid(error: FieldError): StatusError {
  return newInvalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', [error]);
}

/** kube's ValidateListOptions for the resourceVersion / resourceVersionMatch / continue rules. */
function validate(options: ListRequestOptions): void {
  const match = options.resourceVersionMatch;
  if (match !== '' && match !== 'NotOlderThan' && match !== 'Exact') {
    throw listOptionsInvalid(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
  }
  if (match !== '' && options.resourceVersion === '') {
    throw listOptionsInvalid(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
  }
  if (match === 'Exact' && options.resourceVersion === '0') {
    throw listOptionsInvalid(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (options.continue !== '' && match !== '') {
    throw listOptionsInvalid(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  if (options.continue !== '' && options.resourceVersion !== '' && options.resourceVersion !== '0') {
    throw newContinueWithResourceVersion();
  }
  if (options.limit < 0) throw listOptionsInvalid(invalid('limit', options.limit, 'must be greater than or equal to 0'));
}

export async function listObjects(
  store: ObjectStore,
  info: ResourceInfo,
  prefix: string,
  options: ListRequestOptions,
  selectableFields: SelectableFields | undefined,
): Promise<KubeObject> {
  validate(options);
  const labels = parseLabelSelector(options.labelSelector);
  const fields = parseFieldSelector(options.fieldSelector);
  checkFieldSelectorFields(fields, new Set(['metadata.name', 'metadata.namespace', ...Object.keys(selectableFields?.({}) ?? {})]));
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

  let revision = 0;
  let start = prefix;
  if (options.continue !== '') {
    const position = decodeContinue(options.continue, prefix);
    // -1: an inconsistent continuation (after a 410) reads the latest state.
    revision = position.resourceVersion > 0 ? position.resourceVersion : 0;
    start = position.fromKey;
  } else if (options.resourceVersion !== '' && options.resourceVersion !== '0') {
    const requested = parseResourceVersion(options.resourceVersion);
    if (options.resourceVersionMatch === 'Exact') {
      revision = requested;
    } else {
      const current = await store.kv.currentRevision();
      if (requested > current) throw newTooLargeResourceVersion(requested, current, 1);
    }
  }

  const end = prefixEnd(prefix);
  const limit = options.limit > 0 ? options.limit : 0;
  const items: KubeObject[] = [];
  let lastReturnedKey: string | undefined;
  let remaining: number | undefined;
  try {
    for (;;) {
      const pageLimit = limit === 0 ? 0 : filtering ? Math.max(FILTERED_PAGE_SIZE, limit) : limit - items.length;
      const page = await store.range(start, { end, limit: pageLimit, revision });
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
  return { apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}`, kind: info.listKind, metadata, items };
}
