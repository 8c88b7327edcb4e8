// The Kubernetes 1.36 OpenAPI v2 document shipped in data/ (see data/PROVENANCE.md), loaded once
// per process (or worker thread) on first use.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SchemaObject } from './types.js';

export interface OpenAPIv2Document {
  swagger: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, SchemaObject>;
  parameters?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Absolute path of a file in this package's data/ folder. */
export function dataFile(name: string): string {
  return fileURLToPath(new URL(`../data/${name}`, import.meta.url));
}

let document: OpenAPIv2Document | undefined;

/** The whole OpenAPI v2 document. Treat it as read-only: it is shared. */
export function openapiV2(): OpenAPIv2Document {
  document ??= JSON.parse(readFileSync(dataFile('kubernetes-1.36-swagger.json'), 'utf8')) as OpenAPIv2Document;
  return document;
}

/** OpenAPI definitions by name ("io.k8s.api.core.v1.Pod"). */
export function definitions(): Record<string, SchemaObject> {
  return openapiV2().definitions;
}

/** The definition a `$ref` ("#/definitions/<name>") points at. */
export function resolveRef(ref: string): SchemaObject | undefined {
  const prefix = '#/definitions/';
  return ref.startsWith(prefix) ? definitions()[ref.slice(prefix.length)] : undefined;
}
