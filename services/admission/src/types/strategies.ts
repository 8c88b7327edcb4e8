// Which TypeStrategy serves a resource. (The `defaults` branch brings the full registry in
// types/index.ts; this lookup holds the types of the `services` branch until they merge.)

import type { TypeStrategy } from './type-strategy.js';
import { serviceStrategy } from './service.js';

const STRATEGIES: Readonly<Record<string, TypeStrategy>> = {
  '/services': serviceStrategy,
};

/** The type strategy of group/resource, if the type has one. */
export function typeStrategyFor(group: string, resource: string): TypeStrategy | undefined {
  return STRATEGIES[`${group}/${resource}`];
}
