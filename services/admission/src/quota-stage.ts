// Running the ResourceQuota plugin on a review the worker chain admitted: the attributes are
// rebuilt from the bus request and the admitted object, and a refusal replaces the admission.

import type { KubeObject } from '@kapi/apimachinery';
import type { AdmissionRequest, AdmissionResponse } from '@kapi/bus';
import { requestTarget } from './request-target.js';
import type { AdmissionAttributes, AdmissionPlugin } from './chain.js';

const decoder = new TextDecoder();

export function quotaStage(plugin: AdmissionPlugin): (request: AdmissionRequest, admitted: AdmissionResponse) => Promise<AdmissionResponse> {
  return async (request, admitted) => {
    const bytes = admitted.object.length > 0 ? admitted.object : request.object;
    const object = bytes.length > 0 ? (JSON.parse(decoder.decode(bytes)) as KubeObject) : undefined;
    const attributes: AdmissionAttributes = {
      ...requestTarget(request),
      operation: request.operation as AdmissionAttributes['operation'],
      object,
      oldObject: request.oldObject.length > 0 ? (JSON.parse(decoder.decode(request.oldObject)) as KubeObject) : undefined,
      fieldValidation: 'Strict',
    };
    if (plugin.handles && !plugin.handles(attributes)) return admitted;
    const warnings = [...admitted.warnings];
    const auditAnnotations = { ...admitted.auditAnnotations };
    await plugin.validate?.(attributes, {
      warn: (m) => warnings.push(m),
      addAuditAnnotation: (k, v) => {
        if (!(k in auditAnnotations)) auditAnnotations[k] = v;
      },
    });
    return { ...admitted, warnings, ...(Object.keys(auditAnnotations).length > 0 ? { auditAnnotations } : {}) };
  };
}
