// The core/v1 Service type strategy: SetDefaults_Service and ValidateService /
// ValidateServiceUpdate for writes of the main resource. Cluster IPs, IP families and node ports
// are allocated by storage before admission (kube's Service REST allocates around the generic
// store), so validation here sees the allocated values.

import type { KubeObject } from '@kapi/apimachinery';
import type { TypeStrategy } from './type-strategy.js';
import { defaultService } from './service-defaults.js';
import { validateService, validateServiceUpdate } from './service-validation.js';

export const serviceStrategy: TypeStrategy = {
  default(object) {
    return defaultService(object);
  },
  validate(attributes) {
    const object = attributes.object as (KubeObject & Record<string, unknown>) | undefined;
    // services/status has its own validation (ValidateServiceStatusUpdate), not this one.
    if (!object || attributes.subresource !== '') return [];
    if (attributes.operation === 'UPDATE' && attributes.oldObject) {
      return validateServiceUpdate(object, attributes.oldObject as KubeObject & Record<string, unknown>);
    }
    return validateService(object);
  },
};
