// The registry's view of admission: one call per create/update attempt. The bus implementation
// sends it to the admission service (a worker pool in another process or the same one).

import type { KubeObject, UserInfo } from '@kapi/apimachinery';
import { AdmissionRpc, type Bus, userInfoToMsg } from '@kapi/bus';
import type { ResourceInfo } from '@kapi/schema';

export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  info: ResourceInfo;
  namespace: string;
  name: string;
  subresource: string;
  object: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  fieldValidation: string;
  user: UserInfo | undefined;
}

export interface Admitted {
  object: KubeObject;
  warnings: string[];
  /** For the request's audit events. */
  auditAnnotations?: Record<string, string>;
}

export interface Admitter {
  /** Runs the admission chain; rejects with the chain's StatusError. */
  admit(attributes: AdmissionAttributes): Promise<Admitted>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class BusAdmitter implements Admitter {
  constructor(
    private readonly bus: Bus,
    private readonly timeoutMs = 30_000,
  ) {}

  async admit(a: AdmissionAttributes): Promise<Admitted> {
    const reply = await this.bus.request(
      AdmissionRpc.review,
      {
        operation: a.operation,
        ref: { group: a.info.group, version: a.info.version, resource: a.info.resource, namespace: a.namespace, name: a.name, subresource: a.subresource },
        kind: { group: a.info.group, version: a.info.version, kind: a.info.kind },
        object: encoder.encode(JSON.stringify(a.object)),
        oldObject: a.oldObject ? encoder.encode(JSON.stringify(a.oldObject)) : new Uint8Array(),
        dryRun: a.dryRun,
        fieldValidation: a.fieldValidation,
        user: userInfoToMsg(a.user),
      },
      { timeoutMs: this.timeoutMs },
    );
    return { object: JSON.parse(decoder.decode(reply.object)) as KubeObject, warnings: reply.warnings, auditAnnotations: reply.auditAnnotations ?? {} };
  }
}
