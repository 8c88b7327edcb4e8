// Bounded request body reading (kube's limitedReadBody): at most `limit` bytes are buffered; one
// more byte fails the request with 413 RequestEntityTooLarge "Request entity too large: limit
// is <n>". A declared Content-Length over the limit fails before anything is read.

import type { IncomingMessage } from 'node:http';
import { newRequestEntityTooLarge } from '@kapi/apimachinery';

export function bodyTooLarge(limit: number) {
  return newRequestEntityTooLarge(`limit is ${limit}`);
}

/**
 * Reads the whole body of `req`. Rejects with the 413 StatusError past `limit` bytes, and with
 * the signal's reason when the request is abandoned (deadline, client gone) first.
 */
export function readBody(req: IncomingMessage, limit: number, signal?: AbortSignal): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge(limit));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: unknown, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        // Stop buffering; whatever else arrives is discarded by Node.
        req.resume();
        reject(err);
      } else {
        resolve(body!);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        finish(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const onError = (err: Error): void => finish(err);
    const onAborted = (): void => finish(new Error('client closed the request body'));
    const onAbort = (): void => finish(signal?.reason ?? new Error('request abandoned'));
    if (signal?.aborted) {
      onAbort();
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
