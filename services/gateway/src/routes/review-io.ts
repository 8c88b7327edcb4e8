// Reading and answering the "review" kinds the gateway serves itself (TokenReview,
// SelfSubjectReview, SubjectAccessReview and friends): create-only, never stored. The body is
// decoded like any create (JSON, YAML or protobuf, with the create options checked); the answer
// is written with status 201 in the negotiated media type.

import { readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { decodeObjectBody } from '../decode.js';
import { negotiateInputSerializer, negotiateOutputMediaType } from '../negotiation.js';
import { serializersForKind } from '../protobuf.js';
import { decodeWriteOptions } from '../options.js';
import type { ResourceHandlerDeps } from './resources.js';
import type { ResourceRoute } from './resolve.js';
import { resourceRestrictions, writeResourceReply } from './transform.js';

export type JSONRecord = Record<string, unknown>;

export interface ReviewRequest {
  object: JSONRecord;
  metadata: JSONRecord;
  spec: JSONRecord;
  /** Writes the answer (201). */
  reply(result: JSONRecord): Promise<void>;
}

export function recordOf(v: unknown): JSONRecord {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as JSONRecord) : {};
}

export async function readReview(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<ReviewRequest> {
  const expected = { group: route.info.group, version: route.info.version, kind: route.info.kind };
  // kubectl sends some of these kinds as protobuf: they have proto messages.
  const serializers = serializersForKind(expected);
  const out = negotiateOutputMediaType(
    { accept: ctx.header('accept'), query: ctx.query, userAgent: ctx.header('user-agent') },
    serializers,
    resourceRestrictions(route.info, route.subresource),
  );
  const serializer = negotiateInputSerializer(ctx.header('content-type'), serializers);
  const raw = await readBody(ctx.raw, deps.maxRequestBodyBytes, ctx.abort.signal);
  ctx.requestBody = raw;
  decodeWriteOptions(ctx.query, 'create', ctx.header('user-agent'));
  const decoded = await decodeObjectBody(raw, serializer, expected, deps.catalogue, deps.yaml, ctx.abort.signal);
  const object = JSON.parse(decoded.json.toString('utf8')) as JSONRecord;
  return {
    object,
    metadata: recordOf(object.metadata),
    spec: recordOf(object.spec),
    reply: async (result) => {
      const reply = { object: new TextEncoder().encode(JSON.stringify(result)), warnings: [], code: 201 };
      await writeResourceReply(ctx, reply, out, { yaml: deps.yaml, info: route.info, subresource: route.subresource, columns: deps.columns, now: deps.now });
    },
  };
}
