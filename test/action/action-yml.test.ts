/** action.yml is a public interface: its input and output names, the runtime, and their documentation. */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { readInputs } from '../../action/inputs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
  runs: { using: string; main: string };
  branding: { icon: string; color: string };
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
};
const INPUTS = [
  'paths',
  'render',
  'config',
  'fail-on',
  'format',
  'report-dir',
  'sarif-file',
  'comment',
  'only-changed',
  'baseline',
  'base-ref',
  'github-token',
  'target',
  'config-ref',
];
const OUTPUTS = ['findings', 'errors', 'warnings', 'suppressed', 'report-dir', 'sarif-file', 'exit-code'];

describe('action.yml', () => {
  test('runs the bundled dist/index.js on node24, with branding', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(existsSync(path.join(root, action.runs.main))).toBe(true);
    expect(action.branding.icon).toBeTruthy();
  });

  test('declares exactly the public inputs and outputs', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUTS].sort());
    expect(Object.keys(action.outputs).sort()).toEqual([...OUTPUTS].sort());
    expect(action.inputs['github-token']!.default).toBe('${{ github.token }}');
    expect(action.inputs['fail-on']!.default).toBe('error');
  });

  test('the Action reads only declared inputs, and the defaults in action.yml are accepted', () => {
    const asked: string[] = [];
    const inputs = readInputs(
      (name) => {
        asked.push(name);
        return action.inputs[name]?.default?.replace('${{ github.token }}', 'ghs_x') ?? '';
      },
      { GITHUB_WORKSPACE: root },
    );
    expect(new Set(asked)).toEqual(new Set(INPUTS));
    expect(inputs.formats).toEqual(['json', 'sarif', 'junit', 'markdown', 'policyreport']);
    expect(inputs.failOn).toBe('error');
    expect(inputs.paths).toEqual(['.']);
  });

  test('docs/action.md documents every input and output', () => {
    const doc = readFileSync(path.join(root, 'docs/action.md'), 'utf8');
    for (const name of [...INPUTS, ...OUTPUTS]) expect(doc).toContain(`| \`${name}\` |`);
  });
});
