// What an AdmissionRequest off the bus says about its target: operation, kind, resource,
// namespace, name, dry run and user — shared by the worker's chain and the main thread's quota
// stage.

import type { UserInfo } from '@kapi/apimachinery';
import { type AdmissionRequest, userInfoFromMsg } from '@kapi/bus';

export interface RequestTarget {
  group: string;
  version: string;
  kind: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  dryRun: boolean;
  user: UserInfo | undefined;
}

export function requestTarget(request: AdmissionRequest): RequestTarget {
  return {
    group: request.kind?.group ?? '',
    version: request.kind?.version ?? '',
    kind: request.kind?.kind ?? '',
    resource: request.ref?.resource ?? '',
    subresource: request.ref?.subresource ?? '',
    namespace: request.ref?.namespace ?? '',
    name: request.ref?.name ?? '',
    dryRun: request.dryRun === true,
    user: userInfoFromMsg(request.user),
  };
}
