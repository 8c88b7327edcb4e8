// transformResponseObject: what a resource handler does with the object storage returned — write
// it as is, or convert it to the meta.k8s.io type the Accept header asked for (Table,
// PartialObjectMetadata, PartialObjectMetadataList) — plus the resource endpoints' negotiation
// restrictions that decide which conversions may be asked for at all.

import { newBadRequest, type StatusError } from '@kapi/apimachinery';
import type { ObjectReply } from '@kapi/bus';
import type { ResourceInfo, SubresourceInfo } from '@kapi/schema';
import type { RequestContext } from '../context.js';
import { internalTypeName } from '../go-types.js';
import type { EndpointRestrictions, NegotiatedOutput } from '../negotiation.js';
import { decodeIncludeObject } from '../options.js';
import { writeObject } from '../respond.js';
import type { YAMLOffload } from '../yaml-offload.js';
import { notAcceptableMessage } from '../status.js';
import { buildTable, DEFAULT_COLUMNS, isList, partialObjectMetadata, partialObjectMetadataList, type ColumnProviderLookup } from '../table.js';

const META_GROUP = 'meta.k8s.io';

function isMetaVersion(group: string, version: string): boolean {
  return group === META_GROUP && (version === 'v1' || version === 'v1beta1');
}

/** Whether a resource endpoint has a table convertor: kube's stores that can be read do. */
export function hasTableConvertor(info: ResourceInfo, sub: SubresourceInfo | undefined): boolean {
  const verbs = sub ? sub.verbs : info.verbs;
  return verbs.includes('get') || verbs.includes('list');
}

/** RequestScope.AllowsMediaTypeTransform and friends for one resource endpoint. */
export function resourceRestrictions(info: ResourceInfo, sub: SubresourceInfo | undefined): EndpointRestrictions {
  const tables = hasTableConvertor(info, sub);
  return {
    allowsMediaTypeTransform(mimeType, mimeSubType, target) {
      if (!target) return true;
      if (!isMetaVersion(target.group, target.version)) return false;
      switch (target.kind) {
        case 'Table':
          return tables && mimeType === 'application' && (mimeSubType === 'json' || mimeSubType === 'yaml');
        case 'PartialObjectMetadata':
        case 'PartialObjectMetadataList':
          return true;
        default:
          return false;
      }
    },
    allowsServerVersion: (v) => v === 'v1',
    allowsStreamSchema: (s) => s === 'watch',
  };
}

export interface TransformScope {
  yaml: YAMLOffload;
  info: ResourceInfo;
  subresource: SubresourceInfo | undefined;
  columns: ColumnProviderLookup;
  now: () => number;
}

/** The kind (and list kind) the endpoint returns, for kube's %T in error texts. */
function goTypeName(scope: TransformScope, list: boolean): string {
  const group = scope.subresource ? scope.subresource.group : scope.info.group;
  const kind = scope.subresource ? scope.subresource.kind : scope.info.kind;
  return internalTypeName(group, list ? (scope.info.listKind || `${kind}List`) : kind);
}

function parseObject(bytes: Uint8Array): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('storage returned a JSON value that is not an object');
  }
  return value as Record<string, unknown>;
}

/**
 * Writes storage's reply: warnings as Warning headers, the status code storage chose (its
 * contract: 201 created, 202 delete pending, 0 = 200), and the object converted as negotiated.
 */
export async function writeResourceReply(
  ctx: RequestContext,
  reply: ObjectReply,
  out: NegotiatedOutput,
  scope: TransformScope,
): Promise<void> {
  ctx.warnings.addAll(reply.warnings ?? []);
  Object.assign(ctx.auditAnnotations, reply.auditAnnotations ?? {});
  const code = reply.code || 200;
  const target = out.options.convert;
  const choice = { serializer: out.serializer, pretty: out.pretty };
  if (!target) {
    await writeObject(ctx, code, { json: reply.object }, choice, scope.yaml);
    return;
  }

  let includeObject: 'None' | 'Metadata' | 'Object' = 'Metadata';
  if (target.kind === 'Table' && isMetaVersion(target.group, target.version)) includeObject = decodeIncludeObject(ctx.query);

  const object = parseObject(reply.object);
  // A Status (e.g. from a delete) is never converted.
  if (object.kind === 'Status' && (object.apiVersion === 'v1' || object.apiVersion === 'meta.k8s.io/v1')) {
    await writeObject(ctx, code, { json: reply.object }, choice, scope.yaml);
    return;
  }
  const converted = convert(object, target.kind, target.version, includeObject, scope);
  if ('error' in converted) throw converted.error;
  await writeObject(ctx, code, { value: converted.value }, choice, scope.yaml);
}

function convert(
  object: Record<string, unknown>,
  kind: string,
  metaVersion: string,
  includeObject: 'None' | 'Metadata' | 'Object',
  scope: TransformScope,
): { value: unknown } | { error: StatusError } {
  const list = isList(object);
  switch (kind) {
    case 'Table': {
      if (!isMetaVersion(META_GROUP, metaVersion)) {
        return { error: notAcceptableMessage(`no Table exists in group version ${META_GROUP}/${metaVersion}`) };
      }
      const provider = scope.columns(scope.info, scope.subresource?.name ?? '') ?? DEFAULT_COLUMNS;
      return { value: buildTable(object, provider, includeObject, metaVersion, scope.now()) };
    }
    case 'PartialObjectMetadata':
      if (list) {
        return { error: notAcceptableMessage(`you requested PartialObjectMetadata, but the requested object is a list (${goTypeName(scope, true)})`) };
      }
      return { value: partialObjectMetadata(object, metaVersion) };
    case 'PartialObjectMetadataList':
      if (!list) {
        return { error: notAcceptableMessage(`you requested PartialObjectMetadataList, but the requested object is not a list (${goTypeName(scope, false)})`) };
      }
      return { value: partialObjectMetadataList(object, metaVersion) };
    default:
      return { error: newBadRequest(`unsupported conversion to ${kind}`) };
  }
}
