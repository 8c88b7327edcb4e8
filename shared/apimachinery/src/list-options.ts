// ValidateListOptions (k8s.io/apimachinery/pkg/apis/meta/internalversion/validation) for a list:
// the gateway runs it when it decodes the query, and storage again for every other bus caller.
// Watch validation comes with watch support.

import { fieldPath, forbidden, notSupported, type FieldError } from './field.js';

/** The ListOptions fields the list rules look at. */
export interface ListOptionsToValidate {
  resourceVersion: string;
  resourceVersionMatch: string;
  continue: string;
  /** Set (true or false) when the client gave sendInitialEvents. */
  sendInitialEvents?: boolean | undefined;
}

/** Every list-options error, in kube's order (empty when valid). */
export function validateListOptions(options: ListOptionsToValidate): FieldError[] {
  const errs: FieldError[] = [];
  const match = options.resourceVersionMatch;
  if (match.length > 0) {
    if (options.resourceVersion.length === 0) {
      errs.push(forbidden(fieldPath('resourceVersionMatch'), 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    }
    if (options.continue.length > 0) {
      errs.push(forbidden(fieldPath('resourceVersionMatch'), 'resourceVersionMatch is forbidden when continue is provided'));
    }
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      errs.push(notSupported(fieldPath('resourceVersionMatch'), match, ['Exact', 'NotOlderThan', '']));
    }
    if (match === 'Exact' && options.resourceVersion === '0') {
      errs.push(forbidden(fieldPath('resourceVersionMatch'), 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  }
  if (options.sendInitialEvents !== undefined) {
    errs.push(forbidden(fieldPath('sendInitialEvents'), 'sendInitialEvents is forbidden for list'));
  }
  return errs;
}
