// Strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch), the server-side half.
export { StrategicMergePatchError, type MergePatchSentinel } from './errors.js';
export { LookupPatchMeta, type PatchField, type PatchGoType, type PatchMeta } from './meta.js';
export { MAX_MERGE_DEPTH, strategicMergeMapPatch } from './merge.js';
