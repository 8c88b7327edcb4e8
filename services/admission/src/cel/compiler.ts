// Compiling CEL expressions once: a compiler declares the variables its expressions may use (all
// dyn, as kube declares object/oldObject/params without a schema for built-in types here), type
// checks each expression, and keeps the compiled program in a bounded LRU keyed by the text. A
// worker thread keeps its compilers for its lifetime, so each policy's expressions are compiled
// once per thread.

import type { Environment } from '@marcbachmann/cel-js';
import { kubernetesCelEnvironment } from './environment.js';

export type CompiledExpression = (activation: Record<string, unknown>) => unknown;

export type CompileResult = { ok: true; program: CompiledExpression } | { ok: false; error: string };

let base: Environment | undefined;

export class CelCompiler {
  private readonly env: Environment;
  private readonly cache = new Map<string, CompileResult>();

  constructor(
    variables: readonly string[],
    private readonly maxEntries = 2_000,
  ) {
    base ??= kubernetesCelEnvironment();
    const env = base.clone();
    for (const v of variables) env.registerVariable(v, 'dyn');
    this.env = env;
  }

  compile(expression: string): CompileResult {
    const hit = this.cache.get(expression);
    if (hit) {
      // LRU: most recently used last
      this.cache.delete(expression);
      this.cache.set(expression, hit);
      return hit;
    }
    let result: CompileResult;
    try {
      const checked = this.env.check(expression);
      if (!checked.valid) result = { ok: false, error: checked.error?.message ?? 'type check failed' };
      else {
        const parsed = this.env.parse(expression);
        result = { ok: true, program: (activation) => parsed(activation) };
      }
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(expression, result);
    return result;
  }

  get size(): number {
    return this.cache.size;
  }
}
