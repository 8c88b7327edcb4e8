// The per-type half of kube's registry strategies as admission runs them: the Go-code defaults
// (pkg/apis/<group>/<version>/defaults.go and the strategy's own) and ValidateXxx /
// ValidateXxxUpdate (pkg/apis/<group>/validation). Storage keeps what needs the stored state.

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
