import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SchemaObject, definitions } from '@kapi/schema';
import { Defaulter } from './defaulter.js';

const defs: Record<string, SchemaObject> = {
  'io.example.v1.Widget': {
    type: 'object',
    properties: {
      spec: { $ref: '#/definitions/io.example.v1.WidgetSpec' },
      note: { type: 'string' },
    },
  },
  'io.example.v1.WidgetSpec': {
    type: 'object',
    properties: {
      replicas: { type: 'integer', default: 1 },
      mode: { type: 'string', default: 'Fast' },
      tags: { type: 'array', items: { type: 'string' }, default: ['a'] },
      ports: { type: 'array', items: { $ref: '#/definitions/io.example.v1.Port' } },
      byName: { type: 'object', additionalProperties: { $ref: '#/definitions/io.example.v1.Port' } },
      limits: { type: 'object', default: { cpu: '1' }, properties: { cpu: { type: 'string' }, memory: { type: 'string', default: '1Gi' } } },
      child: { $ref: '#/definitions/io.example.v1.WidgetSpec' },
    },
  },
  'io.example.v1.Port': {
    type: 'object',
    properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } },
  },
  'io.example.v1.Plain': { type: 'object', properties: { a: { type: 'string' }, self: { $ref: '#/definitions/io.example.v1.Plain' } } },
};

describe('Defaulter', () => {
  const d = new Defaulter(defs);

  it('applies defaults only where fields are absent, recursively', () => {
    const w: Record<string, any> = {
      spec: {
        replicas: 3,
        tags: [],
        ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }],
        byName: { http: { port: 8080 } },
        child: { mode: 'Slow' },
      },
    };
    assert.equal(d.apply('io.example.v1.Widget', w), true);
    assert.deepEqual(w, {
      spec: {
        replicas: 3,
        tags: [],
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
        byName: { http: { port: 8080, protocol: 'TCP' } },
        child: { mode: 'Slow', replicas: 1, tags: ['a'], limits: { cpu: '1', memory: '1Gi' } },
        mode: 'Fast',
        limits: { cpu: '1', memory: '1Gi' },
      },
    });
  });

  it('copies default values, never shares them', () => {
    const a: Record<string, any> = { spec: {} };
    const b: Record<string, any> = { spec: {} };
    d.apply('io.example.v1.Widget', a);
    d.apply('io.example.v1.Widget', b);
    a.spec.tags.push('changed');
    assert.deepEqual(b.spec.tags, ['a']);
    assert.deepEqual(defs['io.example.v1.WidgetSpec']!.properties!.tags!.default, ['a']);
  });

  it('leaves absent parents absent and reports no change when nothing applies', () => {
    const w: Record<string, any> = { note: 'x' };
    assert.equal(d.apply('io.example.v1.Widget', w), false);
    assert.deepEqual(w, { note: 'x' });
    const full: Record<string, any> = { spec: { replicas: 2, mode: 'Slow', tags: [], limits: { cpu: '2', memory: '2Gi' } } };
    assert.equal(d.apply('io.example.v1.Widget', full), false);
  });

  it('compiles nothing for definitions without defaults (recursive ones included)', () => {
    assert.equal(d.forDefinition('io.example.v1.Plain'), undefined);
    assert.equal(d.hasDefaults('io.example.v1.WidgetSpec'), true);
    assert.equal(d.apply('io.example.v1.Missing', {}), false);
  });

  it('has nothing to do for built-in kinds (the v2 document declares no defaults)', () => {
    const builtin = new Defaulter(definitions());
    assert.equal(builtin.forDefinition('io.k8s.api.core.v1.Pod'), undefined);
    assert.equal(builtin.forDefinition('io.k8s.api.apps.v1.Deployment'), undefined);
  });
});
