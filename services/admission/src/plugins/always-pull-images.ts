// AlwaysPullImages (off by default): every container of a new or updated pod pulls its image.

import type { AdmissionPlugin } from '../chain.js';
import { allContainers } from './cluster-access.js';

export function alwaysPullImages(): AdmissionPlugin {
  return {
    name: 'AlwaysPullImages',
    handles: (a) => a.group === '' && a.resource === 'pods' && a.subresource === '' && (a.operation === 'CREATE' || a.operation === 'UPDATE'),
    mutate(a) {
      for (const c of allContainers((a.object as { spec?: Record<string, unknown> } | undefined)?.spec)) c.imagePullPolicy = 'Always';
    },
  };
}
