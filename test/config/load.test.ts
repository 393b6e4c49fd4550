import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, parseConfig, resolveConfig, validateConfigObject } from '../../policies/config/load.js';
import { DEFAULT_LIMITS } from '../../policies/config/types.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const schemaPath = join(repoRoot, 'policies/schema/persistguard.schema.json');

const VALID = `$schema: ../policies/schema/persistguard.schema.json
target: k3s
rules:
  data-path-pvc: warning
  reclaim-delete: off
  k3s-image-import:
    severity: error
dataPaths:
  - name: kilo services
    image: kilo/*
    paths: [/data]
localImages: ["kilo/*"]
tempDirs: [/tmp, /scratch]
cacheAndLogPaths: off
allowAnnotationExemptions: false
exemptions:
  - rules: [sqlite-in-tmp]
    name: legacy-*
    reason: throwaway demo database
    expires: 2030-01-31
exclude: ["charts/**"]
limits:
  maxFileBytes: 1000
`;

describe('parseConfig', () => {
  test('a valid config resolves onto the defaults', () => {
    const { config, errors } = parseConfig(VALID, '.persistguard.yaml');
    expect(errors).toEqual([]);
    expect(config.target).toBe('k3s');
    expect(config.rules['data-path-pvc']).toEqual({ severity: 'warning' });
    expect(config.rules['reclaim-delete']).toEqual({ severity: 'off' });
    expect(config.rules['k3s-image-import']).toEqual({ severity: 'error' });
    expect(config.dataPaths[0]?.paths).toEqual(['/data']);
    expect(config.tempDirs).toEqual(['/tmp', '/scratch']);
    expect(config.cacheAndLogPaths).toBe('off');
    expect(config.allowAnnotationExemptions).toBe(false);
    expect(config.exemptions[0]?.expires).toBe('2030-01-31');
    expect(config.limits).toEqual({ ...DEFAULT_LIMITS, maxFileBytes: 1000 });
    expect(config.source).toBe('.persistguard.yaml');
  });

  test('an empty file is the default config', () => {
    const { config, errors } = parseConfig('# nothing yet\n', 'c.yaml');
    expect(errors).toEqual([]);
    expect(config.target).toBe('auto');
    expect(config.tempDirs).toContain('/tmp');
  });

  test('a wrong severity names the path and points at the value', () => {
    const text = 'target: auto\n\n\n\n\nrules:\n    data-path-pvc: fatal\n';
    const { errors, config } = parseConfig(text, '.persistguard.yaml');
    expect(errors).toEqual([
      {
        file: '.persistguard.yaml',
        line: 7,
        column: 20,
        message: 'rules.data-path-pvc: must be one of off, error, warning',
      },
    ]);
    expect(config.rules).toEqual({});
  });

  test('an unknown top-level key is named, with the closest valid key', () => {
    const { errors } = parseConfig('target: k3s\nexemptons: []\n', 'c.yaml');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 2, column: 1 });
    expect(errors[0]?.message).toBe("exemptons: unknown key 'exemptons'; did you mean 'exemptions'?");
  });

  test('an unknown rule id suggests the closest id', () => {
    const { errors } = parseConfig('rules:\n  data-path-pcv: off\n', 'c.yaml');
    expect(errors[0]).toMatchObject({ line: 2, column: 3 });
    expect(errors[0]?.message).toContain("unknown key 'data-path-pcv'; did you mean 'data-path-pvc'?");
  });

  test('wrong types, missing required keys and bad dates are all reported at once, in order', () => {
    const text = [
      'localImages: kilo/*', // 1: not an array
      'exemptions:',
      '  - rules: [sqlite-in-tmp]', // 3: missing reason
      '    expires: 2025-02-30', // 4: not a calendar date
      '  - rules: [no-such-rule]', // 5
      '    reason: x',
      'dataPaths:',
      '  - image: postgres',
      '    paths: [data]', // 9: relative path
      'limits:',
      '  maxFileBytes: big', // 11
    ].join('\n');
    const { errors } = parseConfig(text, 'c.yaml');
    const byLine = errors.map((e) => `${e.line}:${e.column} ${e.message}`);
    expect(byLine).toEqual([
      '1:14 localImages: must be an array',
      "3:5 exemptions[0]: missing required key 'reason'",
      "4:14 exemptions[0].expires: '2025-02-30' is not a calendar date",
      '5:13 exemptions[1].rules[0]: must be one of *, data-path-pvc, sqlite-in-tmp, k3s-image-import, pvc-missing, rwo-shared-claim, sqlite-shared-volume, reclaim-delete, readonly-data-mount, data-not-carried-over, mount-hides-image-files',
      '9:13 dataPaths[0].paths[0]: must be an absolute path (starting with /)',
      '11:17 limits.maxFileBytes: must be an integer',
    ]);
  });

  test('an object rule setting with a bad key is reported at that key', () => {
    const { errors } = parseConfig('rules:\n  pvc-missing:\n    severty: error\n', 'c.yaml');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 3, column: 5 });
    expect(errors[0]?.message).toBe("rules.pvc-missing.severty: unknown key 'severty'; did you mean 'severity'?");
  });

  test('invalid YAML is an error with its position', () => {
    const { errors } = parseConfig('rules:\n  a: [1, 2\n', 'c.yaml');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.message).toMatch(/^invalid YAML/);
    expect(errors[0]?.line).toBeGreaterThanOrEqual(2);
  });

  test('a top level that is not a mapping is rejected', () => {
    expect(parseConfig('- a\n- b\n', 'c.yaml').errors[0]?.message).toBe('(top level): must be a mapping of settings');
  });
});

describe('resolveConfig and validateConfigObject', () => {
  test('resolveConfig turns severities into settings and keeps default limits', () => {
    const c = resolveConfig({ rules: { 'sqlite-in-tmp': 'warning' }, limits: { maxDepth: 10 } });
    expect(c.rules['sqlite-in-tmp']).toEqual({ severity: 'warning' });
    expect(c.limits.maxDepth).toBe(10);
    expect(c.limits.maxFiles).toBe(DEFAULT_LIMITS.maxFiles);
    expect(c.source).toBeUndefined();
  });

  test('validateConfigObject reports paths without positions', () => {
    expect(validateConfigObject({ target: 'k8s' })).toEqual([
      { path: ['target'], display: 'target', message: 'must be one of auto, k3s, kubernetes' },
    ]);
    expect(validateConfigObject({})).toEqual([]);
  });

  test('the built-in image catalog is a valid config-shaped file', () => {
    const catalog = join(repoRoot, 'policies/facts/catalog/images.json');
    expect(existsSync(catalog)).toBe(true);
    const parsed = JSON.parse(readFileSync(catalog, 'utf8')) as { dataPaths?: Record<string, unknown>[] };
    // Catalog-only fields (source, volumes, dirFlags…) are checked by catalog.schema.json (test/facts).
    const configShaped = (parsed.dataPaths ?? []).map((e) =>
      Object.fromEntries(Object.entries(e).filter(([k]) => ['name', 'image', 'paths', 'pathEnv', 'note'].includes(k))),
    );
    expect(validateConfigObject({ dataPaths: configShaped })).toEqual([]);
    expect(parsed.dataPaths?.length).toBeGreaterThan(20);
  });

  test('a catalog entry with a mistake is caught with its path', () => {
    const issues = validateConfigObject({
      dataPaths: [
        { name: 'x', image: 'x', paths: ['/data'] },
        { name: 'y', imgae: 'y', paths: ['/y'] },
      ],
    });
    expect(issues).toEqual([
      {
        path: ['dataPaths', 1, 'imgae'],
        display: 'dataPaths[1].imgae',
        message: "unknown key 'imgae'; did you mean 'image'?",
        key: 'imgae',
      },
    ]);
  });
});

describe('schema file', () => {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;

  test('is draft-07 and every property has a description (editors show them)', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (!node || typeof node !== 'object') return;
      const props = (node as { properties?: Record<string, unknown> }).properties;
      for (const [k, v] of Object.entries(props ?? {})) {
        if (!(v as { description?: string }).description) missing.push(`${where}.${k}`);
        walk(v, `${where}.${k}`);
      }
      for (const [k, v] of Object.entries(node)) if (k !== 'properties') walk(v, `${where}/${k}`);
    };
    walk(schema, '#');
    expect(missing).toEqual([]);
  });

  test('objects forbid additional properties everywhere', () => {
    const open: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.type === 'object' && n.properties && n.additionalProperties !== false) open.push(where);
      for (const [k, v] of Object.entries(n)) walk(v, `${where}/${k}`);
    };
    walk(schema, '#');
    expect(open).toEqual([]);
  });

  test('a config naming the schema through $schema validates', () => {
    const { errors } = parseConfig(
      `$schema: https://example.invalid/persistguard.schema.json\ntarget: auto\n`,
      'c.yaml',
    );
    expect(errors).toEqual([]);
  });
});

describe('loadConfig', () => {
  const root = mkdtempSync(join(tmpdir(), 'pg-config-'));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(join(repo, 'deploy', 'k8s'), { recursive: true });
  writeFileSync(join(repo, '.persistguard.yml'), 'target: k3s\n');
  writeFileSync(join(root, '.persistguard.yaml'), 'target: kubernetes\n');

  test('finds the config upward from the scan root, stopping at the repository root', async () => {
    const { config, errors } = await loadConfig({ scanRoot: join(repo, 'deploy', 'k8s'), cwd: repo });
    expect(errors).toEqual([]);
    expect(config.target).toBe('k3s');
    expect(config.source).toBe('.persistguard.yml');
  });

  test('does not climb past the repository root', async () => {
    const other = join(root, 'other');
    mkdirSync(join(other, '.git'), { recursive: true });
    const { config } = await loadConfig({ scanRoot: other });
    expect(config.source).toBeUndefined();
    expect(config.target).toBe('auto');
  });

  test('an explicit path wins and errors name it', async () => {
    writeFileSync(join(repo, 'ci.yaml'), 'target: nomad\n');
    const { errors } = await loadConfig({ scanRoot: repo, explicitPath: 'ci.yaml', cwd: repo });
    expect(errors).toEqual([
      { file: 'ci.yaml', line: 1, column: 9, message: 'target: must be one of auto, k3s, kubernetes' },
    ]);
  });

  test('a missing explicit file is an error naming it', async () => {
    const { errors } = await loadConfig({ scanRoot: repo, explicitPath: 'nope.yaml', cwd: repo });
    expect(errors[0]?.file).toBe('nope.yaml');
    expect(errors[0]?.message).toBe('cannot read config file: no such file');
  });

  test('a scan root that is a file looks from its folder', async () => {
    writeFileSync(join(repo, 'deploy', 'app.yaml'), 'kind: Pod\n');
    const { config } = await loadConfig({ scanRoot: join(repo, 'deploy', 'app.yaml') });
    expect(config.target).toBe('k3s');
  });
});

describe('docs/config.md', () => {
  test('the full example in the config reference is a valid config', () => {
    const doc = readFileSync(join(repoRoot, 'docs/config.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Full example'));
    const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yamlBlock).toBeDefined();
    const { errors, config } = parseConfig(yamlBlock as string, 'docs/config.md');
    expect(errors).toEqual([]);
    expect(config.target).toBe('k3s');
    expect(config.exemptions).toHaveLength(2);
  });

  test('every top-level key of the schema is in the reference table', () => {
    const doc = readFileSync(join(repoRoot, 'docs/config.md'), 'utf8');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { properties: Record<string, unknown> };
    const missing = Object.keys(schema.properties).filter((k) => !doc.includes(`| \`${k}`));
    expect(missing).toEqual([]);
  });
});
