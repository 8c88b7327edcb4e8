// Defaulting from the OpenAPI definitions: every `default` a schema declares is applied where its
// field is absent, recursively (into lists, maps and the defaulted values themselves). Each
// definition is compiled once; subtrees that cannot hold a default are never walked, so a type
// without defaults (every built-in type in the v2 document today) costs nothing.

import type { SchemaObject } from '@kapi/schema';

/** Applies defaults in place; returns whether it changed anything. */
export type DefaultFn = (value: unknown) => boolean;

function refName(ref: string): string | undefined {
  const prefix = '#/definitions/';
  return ref.startsWith(prefix) ? ref.slice(prefix.length) : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy of a JSON default, so that objects never share it. */
function copyJSON(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

interface Holder {
  fn: DefaultFn | undefined;
}

export class Defaulter {
  /** Per definition: its compiled function (undefined: nothing to default below it). */
  private readonly compiled = new Map<string, Holder>();
  private readonly reach = new Map<string, boolean>();

  constructor(private readonly definitions: Readonly<Record<string, SchemaObject>>) {}

  /** The defaulting function of a definition, or undefined when it declares no defaults. */
  forDefinition(definition: string): DefaultFn | undefined {
    if (!this.hasDefaults(definition)) return undefined;
    const holder = this.holder(definition);
    return (v) => holder.fn!(v);
  }

  /** Applies the definition's defaults to `value` in place; returns whether anything changed. */
  apply(definition: string, value: unknown): boolean {
    return this.forDefinition(definition)?.(value) ?? false;
  }

  /** Whether a default is declared anywhere reachable from the definition. */
  hasDefaults(definition: string): boolean {
    const known = this.reach.get(definition);
    if (known !== undefined) return known;
    // Fresh traversal per definition: memoising inside a cycle could record a false negative.
    const seen = new Set<string>();
    const result = this.schemaReaches(this.definitions[definition], seen, definition);
    this.reach.set(definition, result);
    return result;
  }

  private schemaReaches(schema: SchemaObject | undefined, seen: Set<string>, name?: string): boolean {
    if (!schema) return false;
    if (name !== undefined) {
      if (seen.has(name)) return false;
      seen.add(name);
    }
    if (schema.default !== undefined) return true;
    if (schema.$ref) {
      const ref = refName(schema.$ref);
      return ref !== undefined && this.schemaReaches(this.definitions[ref], seen, ref);
    }
    for (const p of Object.values(schema.properties ?? {})) if (this.schemaReaches(p, seen)) return true;
    if (schema.items && this.schemaReaches(schema.items, seen)) return true;
    const ap = schema.additionalProperties;
    if (ap && ap !== true && this.schemaReaches(ap, seen)) return true;
    for (const s of schema.allOf ?? []) if (this.schemaReaches(s, seen)) return true;
    return false;
  }

  private holder(definition: string): Holder {
    let h = this.compiled.get(definition);
    if (h) return h;
    h = { fn: undefined };
    // Registered before compiling: recursive definitions refer to the holder.
    this.compiled.set(definition, h);
    h.fn = this.compileSchema(this.definitions[definition] ?? {}) ?? (() => false);
    return h;
  }

  /** undefined when nothing below `schema` has a default. */
  private compileSchema(schema: SchemaObject): DefaultFn | undefined {
    if (schema.$ref) {
      const ref = refName(schema.$ref);
      if (ref === undefined || !this.hasDefaults(ref)) return undefined;
      const holder = this.holder(ref);
      return (v) => holder.fn!(v);
    }
    if (schema.allOf?.length === 1 && schema.allOf[0]) return this.compileSchema(schema.allOf[0]);
    if (schema.properties) return this.compileStruct(schema.properties);
    if (schema.type === 'array' && schema.items) {
      const item = this.compileSchema(schema.items);
      if (!item) return undefined;
      return (v) => {
        if (!Array.isArray(v)) return false;
        let changed = false;
        for (const e of v) if (item(e)) changed = true;
        return changed;
      };
    }
    const ap = schema.additionalProperties;
    if (ap && ap !== true) {
      const elem = this.compileSchema(ap);
      if (!elem) return undefined;
      return (v) => {
        if (!isPlainObject(v)) return false;
        let changed = false;
        for (const k in v) if (elem(v[k])) changed = true;
        return changed;
      };
    }
    return undefined;
  }

  private compileStruct(properties: Record<string, SchemaObject>): DefaultFn | undefined {
    const defaults: [string, unknown][] = [];
    const nested: [string, DefaultFn][] = [];
    for (const [key, prop] of Object.entries(properties)) {
      if (prop.default !== undefined) defaults.push([key, prop.default]);
      const inner = this.compileSchema(prop);
      if (inner) nested.push([key, inner]);
    }
    if (defaults.length === 0 && nested.length === 0) return undefined;
    return (v) => {
      if (!isPlainObject(v)) return false;
      let changed = false;
      for (const [key, def] of defaults) {
        if (v[key] === undefined) {
          v[key] = copyJSON(def);
          changed = true;
        }
      }
      for (const [key, fn] of nested) {
        const child = v[key];
        if (child !== undefined && child !== null && fn(child)) changed = true;
      }
      return changed;
    };
  }
}
