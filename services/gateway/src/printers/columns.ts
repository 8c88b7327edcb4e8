// Column definitions and the provider shape every printer module builds, so a module states only
// its columns (as kube's AddHandlers does) and one row function (kube's printXxx).

import { AGE_COLUMN, NAME_COLUMN, type ColumnProvider, type TableColumnDefinition, type TableRowCondition } from '../table.js';
import { swaggerDoc } from './descriptions.js';
import type { Obj } from './cells.js';

export { AGE_COLUMN, NAME_COLUMN };

/** A column with a literal description (kube writes some descriptions inline in AddHandlers). */
export function column(
  name: string,
  type: 'string' | 'integer' | 'boolean' | 'number' | 'date',
  description: string,
  opts: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** A column whose description is kube's SwaggerDoc()[field] of a Go type (see descriptions.ts). */
export function docColumn(
  name: string,
  type: 'string' | 'integer' | 'boolean' | 'number' | 'date',
  docKey: string,
  opts: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return column(name, type, swaggerDoc(docKey), opts);
}

/** The wide columns many workload printers end with. */
export const CONTAINERS_COLUMN = column('Containers', 'string', 'Names of each container in the template.', { priority: 1 });
export const IMAGES_COLUMN = column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 });

/** A provider from its columns and row function (plus row conditions or list order, when kube has them). */
export function provider(
  columns: readonly TableColumnDefinition[],
  cells: (object: Obj, now: number) => unknown[],
  extra: { conditions?: (object: Obj) => TableRowCondition[] | undefined; order?: (items: Obj[]) => Obj[] } = {},
): ColumnProvider {
  return { columns, cells, ...extra };
}
