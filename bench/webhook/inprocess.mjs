#!/usr/bin/env node
// The admission path in-process, without HTTP or TLS: CPU per request for each step, and the bytes per request that
// survive two minor GCs (objects promoted to the old generation that only a full GC reclaims; they are what made GC
// a third of the webhook's CPU). Usage: npm run build && node --expose-gc bench/webhook/inprocess.mjs [--requests 20000]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' } } });
const requests = Number(values.requests);
const gc = globalThis.gc;
if (typeof gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const build = (p) => import(path.join(root, 'build', p));
const { admit } = await build('webhook/admission.js');
const { screenBody } = await build('webhook/screen.js');
const { defaultConfig } = await build('policies/config/types.js');
const { loadObject, evaluate } = await build('policies/index.js');

const body = readFileSync(path.join(root, 'test/webhook/fixtures/deployment-postgres-emptydir.json'));
const config = defaultConfig();
const load = () => loadObject(screenBody(body).request.object, { file: 'f', index: 0 }, { fromJson: true });
const steps = [
  ['screen (parse the body)', () => screenBody(body)],
  ['+ load the object', load],
  ['+ evaluate the rules', () => evaluate(load(), { config, now: new Date() })],
  [
    'admit() + response JSON',
    () => JSON.stringify(admit(screenBody(body).request, { config, mode: 'enforce', now: new Date() }).response),
  ],
];

console.log(`bench/webhook/inprocess: ${requests} requests per step, node ${process.version}`);
console.log('step                        µs/request  bytes/request surviving 2 minor GCs');
for (const [name, fn] of steps) {
  for (let i = 0; i < 2000; i++) fn();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 400; i++) fn();
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  const survived = (process.memoryUsage().heapUsed - before) / 400;
  gc();
  const t = performance.now();
  for (let i = 0; i < requests; i++) fn();
  const us = ((performance.now() - t) * 1000) / requests;
  console.log(`${name.padEnd(27)} ${us.toFixed(1).padStart(10)}  ${survived.toFixed(0).padStart(10)}`);
}
