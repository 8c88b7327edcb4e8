// The per-type half of kube-apiserver's defaulting and validation: what pkg/apis/<group>/v1/
// defaults.go (SetDefaults_*) and the registry strategies' PrepareForCreate defaults do to a
// decoded object, and what pkg/apis/<group>/validation (ValidateXxx / ValidateXxxUpdate) reports.
// One TypeStrategy per kind, registered in ./index.ts under `<group>/<Kind>`.

import type { FieldError, KubeObject } from '@kapi/apimachinery';
import type { AdmissionAttributes } from '../chain.js';

export interface TypeStrategy {
  /** The Go-code defaults (SetDefaults_* and the registry strategy's defaults) applied in place
   * after decoding; returns whether anything changed. */
  default?(object: KubeObject, attributes: AdmissionAttributes): boolean;
  /** ValidateXxx (create) / ValidateXxxUpdate (update, attributes.oldObject set): field errors in
   * kube's order (paths and messages exactly as kube's field.Error renders them). */
  validate?(attributes: AdmissionAttributes): FieldError[];
}
