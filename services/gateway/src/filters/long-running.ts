// kube-apiserver's LongRunningFunc (BasicLongRunningRequestCheck): watches and proxy requests, and
// the streaming subresources, are exempt from the request deadline.

import type { RequestInfo } from '../request-info.js';

const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

export function isLongRunning(info: RequestInfo | undefined): boolean {
  if (!info || !info.isResourceRequest) return false;
  return LONG_RUNNING_VERBS.has(info.verb) || LONG_RUNNING_SUBRESOURCES.has(info.subresource);
}
