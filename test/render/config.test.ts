/** The `render` section of `.persistguard.yaml`: validated by the schema, resolved as written. */
import { describe, expect, test } from '@jest/globals';
import { parseConfig } from '../../policies/index.js';

describe('render config', () => {
  test('a full render section is valid and reaches the resolved config', () => {
    const { config, errors } = parseConfig(
      `render:
  enabled: true
  helm: /opt/bin/helm
  kubectl: kubectl
  releaseName: shop
  namespace: shop
  timeoutSeconds: 30
  maxOutputBytes: 1048576
  allowNetwork: false
  kustomizeEnableHelm: true
  charts:
    - path: charts/*
      values: [values-prod.yaml, [values-prod.yaml, values-ha.yaml]]
      releaseName: db
    - path: charts/legacy
      skip: true
`,
      '.persistguard.yaml',
    );
    expect(errors).toEqual([]);
    expect(config.render.charts?.[0]?.values).toEqual(['values-prod.yaml', ['values-prod.yaml', 'values-ha.yaml']]);
    expect(config.render.timeoutSeconds).toBe(30);
  });

  test('defaults: an empty render section', () => {
    expect(parseConfig('target: auto\n', 'c.yaml').config.render).toEqual({});
  });

  test.each([
    ['render:\n  timout: 5\n', "unknown key 'timout'"],
    ['render:\n  timeoutSeconds: 0\n', 'render.timeoutSeconds'],
    ['render:\n  charts:\n    - values: [a.yaml]\n', "missing required key 'path'"],
  ])('%j is an error naming the key', (text, expected) => {
    const { errors } = parseConfig(text, '.persistguard.yaml');
    expect(errors.map((e) => e.message).join('\n')).toContain(expected);
    expect(errors[0]?.line).toBeGreaterThan(0);
  });
});
