// An admission plugin module for the pool tests: loaded by worker threads through
// AdmissionPoolOptions.pluginModules. It labels every object it admits and rejects objects named
// "forbidden" (and, to test failure handling, throws a plain Error for objects named "crash").

import { newForbidden } from '@kapi/apimachinery';
import type { AdmissionPlugin } from './chain.js';

export function createAdmissionPlugin(): AdmissionPlugin {
  return {
    name: 'TestLabeler',
    handles: (a) => a.operation === 'CREATE' || a.operation === 'UPDATE',
    mutate(a, ctx) {
      const meta = (a.object!.metadata ??= {});
      meta.labels = { ...meta.labels, 'admitted-by': 'test' };
      ctx.warn('labelled by TestLabeler');
    },
    validate(a) {
      const name = a.object?.metadata?.name;
      if (name === 'crash') throw new Error('boom');
      if (name === 'forbidden') {
        throw newForbidden({ group: a.group, resource: a.resource }, name, 'the name is reserved');
      }
    },
  };
}
