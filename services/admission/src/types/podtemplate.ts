// PodTemplates (core/v1): the template's pod spec defaults and ValidatePodTemplate /
// ValidatePodTemplateUpdate (the template validated under `template`).

import { fieldPath } from '@kapi/apimachinery';
import { type JsonObject, objectAt } from './json.js';
import { defaultPodTemplateSpec } from './pod-spec-defaults.js';
import { validatePodTemplateSpec } from './pod-template-validation.js';
import type { TypeStrategy } from './type-strategy.js';

export const podTemplateStrategy: TypeStrategy = {
  default: (object) => defaultPodTemplateSpec(objectAt(object as unknown as JsonObject, 'template')),
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    return validatePodTemplateSpec(objectAt(attributes.object, 'template') ?? {}, fieldPath('template'));
  },
};
