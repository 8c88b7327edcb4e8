// merge.Updater of structured-merge-diff: who owns which fields after an update or an apply,
// with conflict detection. One API version per object (kapi serves every resource at one
// version), so the converter steps of the Go code are identities here.

import { FieldSet } from './field-set.js';
import type { JSONValue, Path } from './path-element.js';
import type { TypeNode } from './schema-types.js';
import { type Comparison, compareValues, ensureNamedFieldsAreMembers, mergeValues, recursiveDifference, removeItems, toFieldSet, valuesEqual } from './typed-value.js';

/** fieldpath.VersionedSet. */
export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** fieldpath.ManagedFields: manager identifier → the fields it owns. */
export type ManagedFieldSets = Map<string, VersionedSet>;

/** merge.Conflict: a field another manager owns and the operation would change. */
export interface Conflict {
  manager: string;
  path: Path;
}

export class ConflictsError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(`conflicts: ${conflicts.length}`);
  }
}

export interface UpdaterOptions {
  /** Fields no manager is recorded for (the strategy resets them: kube's ResetFields). */
  ignored?: FieldSet;
}

function excludeIgnored(c: Comparison, ignored: FieldSet | undefined): Comparison {
  if (!ignored) return c;
  return { added: recursiveDifference(c.added, ignored), modified: recursiveDifference(c.modified, ignored), removed: recursiveDifference(c.removed, ignored) };
}

/**
 * Updater.update: compares the objects; fields other managers own that the change adds or
 * modifies are conflicts (an error unless forced, else taken from them), fields it removes are
 * dropped from every other manager; managers left with nothing are forgotten.
 */
function updateOwners(type: TypeNode, oldObject: JSONValue, newObject: JSONValue, managers: ManagedFieldSets, workflow: string, force: boolean, options: UpdaterOptions): { managers: ManagedFieldSets; compare: Comparison } {
  const compare = excludeIgnored(compareValues(oldObject, newObject, type), options.ignored);
  const changed = compare.modified.union(compare.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [manager, owned] of managers) {
    if (manager === workflow) continue;
    const conflict = owned.set.intersection(changed);
    if (!conflict.isEmpty()) conflicts.set(manager, conflict);
  }
  if (!force && conflicts.size > 0) {
    const list: Conflict[] = [];
    for (const manager of [...conflicts.keys()].sort()) for (const path of conflicts.get(manager)!.paths()) list.push({ manager, path });
    throw new ConflictsError(list);
  }
  for (const [manager, conflict] of conflicts) {
    const owned = managers.get(manager)!;
    managers.set(manager, { ...owned, set: owned.set.difference(conflict) });
  }
  if (!compare.removed.isEmpty()) {
    for (const [manager, owned] of managers) {
      if (manager === workflow) continue;
      managers.set(manager, { ...owned, set: owned.set.difference(compare.removed) });
    }
  }
  for (const [manager, owned] of managers) if (owned.set.isEmpty()) managers.delete(manager);
  return { managers, compare };
}

/** Updater.Update: the manager now owns what it changed, in addition to what it owned. */
export function updateManagedFields(type: TypeNode, liveObject: JSONValue, newObject: JSONValue, version: string, managers: ManagedFieldSets, manager: string, options: UpdaterOptions = {}): ManagedFieldSets {
  const { compare } = updateOwners(type, liveObject, newObject, managers, manager, true, options);
  const previous = managers.get(manager)?.set ?? new FieldSet();
  let set = previous.difference(compare.removed).union(compare.modified).union(compare.added);
  if (options.ignored) set = recursiveDifference(set, options.ignored);
  if (set.isEmpty()) managers.delete(manager);
  else managers.set(manager, { set, apiVersion: version, applied: false });
  return managers;
}

export interface ApplyResult {
  /** The new object; undefined when applying changes nothing. */
  object: JSONValue | undefined;
  managers: ManagedFieldSets;
}

/**
 * Updater.Apply: merges the configuration into the live object, makes the manager own exactly
 * the configuration's fields, removes the fields it applied last time and applies no more
 * unless another manager owns them (prune), then checks conflicts against the others.
 */
export function applyConfiguration(type: TypeNode, liveObject: JSONValue, config: JSONValue, version: string, managers: ManagedFieldSets, manager: string, force: boolean, options: UpdaterOptions = {}): ApplyResult {
  let newObject: JSONValue = mergeValues(liveObject, config, type) ?? {};
  const lastSet = managers.get(manager);
  let set = toFieldSet(config, type);
  if (options.ignored) set = recursiveDifference(set, options.ignored);
  managers.set(manager, { set, apiVersion: version, applied: true });
  newObject = prune(type, newObject, managers, lastSet);
  updateOwners(type, liveObject, newObject, managers, manager, force, options);
  return { object: valuesEqual(liveObject, newObject) ? undefined : newObject, managers };
}

function prune(type: TypeNode, merged: JSONValue, managers: ManagedFieldSets, lastSet: VersionedSet | undefined): JSONValue {
  if (!lastSet || lastSet.set.isEmpty()) return merged;
  const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, type);
  let pruned = removeItems(merged, named(lastSet.set), type) ?? {};
  // addBackOwnedItems: whatever any manager (the applier's new set included) owns stays.
  let managed = new FieldSet();
  for (const owned of managers.values()) managed = managed.union(owned.set);
  const mergedSet = named(toFieldSet(merged, type));
  pruned = removeItems(merged, mergedSet.difference(named(toFieldSet(pruned, type)).union(named(managed))), type) ?? {};
  // addBackDanglingItems: only fields of the last applied set are ever removed.
  const prunedSet = named(toFieldSet(pruned, type));
  return (removeItems(merged, mergedSet.difference(prunedSet).intersection(named(lastSet.set)), type) ?? {}) as JSONValue;
}
