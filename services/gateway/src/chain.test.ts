import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, insertFilter, type NamedFilter } from './chain.js';
import type { RequestContext } from './context.js';

const trace: string[] = [];
const named = (name: string, stop = false): NamedFilter => ({
  name,
  filter: async (_ctx, next) => {
    trace.push(`>${name}`);
    if (!stop) await next();
    trace.push(`<${name}`);
  },
});

test('compose runs filters outermost first and unwinds in reverse', async () => {
  trace.length = 0;
  await compose([named('audit-init'), named('request-info'), named('route')])({} as RequestContext);
  assert.deepEqual(trace, ['>audit-init', '>request-info', '>route', '<route', '<request-info', '<audit-init']);
});

test('a filter that answers stops the chain', async () => {
  trace.length = 0;
  await compose([named('audit-init'), named('authentication', true), named('route')])({} as RequestContext);
  assert.deepEqual(trace, ['>audit-init', '>authentication', '<authentication', '<audit-init']);
});

test('insertFilter places later stages by kube\'s order without moving the others', () => {
  const chain = [named('audit-init'), named('request-info'), named('authentication'), named('route')];
  const withAuthz = insertFilter(chain, named('authorization'));
  assert.deepEqual(withAuthz.map((f) => f.name), ['audit-init', 'request-info', 'authentication', 'authorization', 'route']);
  const withHSTS = insertFilter(withAuthz, named('hsts'));
  assert.deepEqual(withHSTS.map((f) => f.name), ['audit-init', 'request-info', 'hsts', 'authentication', 'authorization', 'route']);
  assert.throws(() => insertFilter(chain, named('route')), /already in the chain/);
  assert.throws(() => insertFilter(chain, named('made-up')), /unknown filter stage/);
});
