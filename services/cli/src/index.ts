export * from './up.js';
export * from './run.js';
export * from './cluster.js';
export * from './pki.js';
export * from './kubeconfig.js';
export * from './lifecycle.js';
