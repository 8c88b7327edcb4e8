// Reads (GET, LIST) go to the watch cache first (DESIGN.md "Read" path) and to storage when the
// cache does not serve them: it answers an empty reply for reads that are storage's (Exact
// resourceVersion, GET without resourceVersion, freshness it cannot prove), and when no cache
// replica is on the bus at all (503 from the bus) storage answers too.

import { isStatusError } from '@kapi/apimachinery';
import type { Bus, ObjectReply, Rpc } from '@kapi/bus';
import type { RequestContext } from '../context.js';
import { callStorage } from './storage-call.js';

export async function readThroughCache<Req>(
  ctx: RequestContext,
  bus: Bus,
  cacheRpc: Rpc<Req, ObjectReply>,
  storageRpc: Rpc<Req, ObjectReply>,
  request: Req,
): Promise<ObjectReply> {
  try {
    const reply = await callStorage(ctx, bus, cacheRpc, request, false);
    if (reply.object.byteLength > 0) return reply;
  } catch (err) {
    if (!(isStatusError(err) && err.status.code === 503 && err.status.reason === 'ServiceUnavailable')) throw err;
  }
  return callStorage(ctx, bus, storageRpc, request, false);
}
