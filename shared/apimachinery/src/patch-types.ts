// The PATCH content types of k8s.io/apimachinery/pkg/types (PatchType), in the order
// kube-apiserver's installer lists them for a built-in resource's PATCH route (its go-restful
// Consumes list and the 415 text of PatchResource).

export const JSON_PATCH_TYPE = 'application/json-patch+json';
export const MERGE_PATCH_TYPE = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH_TYPE = 'application/strategic-merge-patch+json';
export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

/** What a built-in resource's PATCH route consumes in kube-apiserver 1.36 (CBOR apply is
 * behind the CBORServingAndStorage gate, off by default). */
export const PATCH_TYPES: readonly string[] = [JSON_PATCH_TYPE, MERGE_PATCH_TYPE, STRATEGIC_MERGE_PATCH_TYPE, APPLY_PATCH_TYPE];
