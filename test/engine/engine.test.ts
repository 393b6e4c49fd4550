import { describe, expect, test } from '@jest/globals';
import { evaluate, renderMessage, targetsK3s } from '../../policies/engine/engine.js';
import type { Rule } from '../../policies/rules/rule.js';
import type { ConfigExemption } from '../../policies/config/types.js';
import { resolveConfig } from '../../policies/config/load.js';
import { claim, composeService, config, container, mount, project, pvc, volume, workload } from '../rules/builders.js';

const emptyDirApp = (name = 'portal', anns: Record<string, string> = {}) =>
  workload(
    name,
    [container(name, { envs: { DATA_DIR: '/app/data' }, mounts: [mount('/app/data', volume('scratch', 'emptyDir'))] })],
    { anns },
  );

const ids = (p: ReturnType<typeof project>, cfg = config(), now = new Date('2026-06-01T12:00:00Z')) =>
  evaluate(p, { config: cfg, now });

describe('engine: severities from config', () => {
  test('default severity, then a bare string (resolved to {severity} by the config loader), then {severity}, then off', () => {
    const p = project({ workloads: [emptyDirApp()] });
    expect(ids(p).findings.map((f) => [f.ruleId, f.severity])).toEqual([['data-path-pvc', 'error']]);
    expect(ids(p, resolveConfig({ rules: { 'data-path-pvc': 'warning' } })).findings.map((f) => f.severity)).toEqual([
      'warning',
    ]);
    expect(
      ids(p, config({ rules: { 'data-path-pvc': { severity: 'warning' } } })).findings.map((f) => f.severity),
    ).toEqual(['warning']);
    expect(ids(p, resolveConfig({ rules: { 'data-path-pvc': 'off' } })).findings).toEqual([]);
  });

  test('a per-finding lower severity (cache dir) stays lower even when config raises the rule', () => {
    const w = workload('a', [container('a', { envs: { CACHE_DIR: '/app/.cache' } })]);
    const p = project({ workloads: [w] });
    expect(ids(p).findings.map((f) => f.severity)).toEqual(['warning']);
    expect(
      ids(p, config({ rules: { 'data-path-pvc': { severity: 'error' } } })).findings.map((f) => f.severity),
    ).toEqual(['warning']);
  });

  test('messages are rendered from meta.messages with the report data', () => {
    const [f] = ids(project({ workloads: [emptyDirApp()] })).findings;
    expect(f?.message).toBe(
      'Container "portal" keeps data in /app/data (env DATA_DIR) on emptyDir volume "scratch" mounted at /app/data, which is deleted with the pod.',
    );
    expect(f?.resource).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'portal' });
    expect(f?.container).toBe('portal');
    expect(f?.path).toBe('/app/data');
    expect(renderMessage('a {{x}} b {{missing}}', { x: 1 })).toBe('a 1 b {{missing}}');
  });

  test('Pods owned by a controller are judged through the controller unless validateOwnedPods', () => {
    const pod = emptyDirApp('p');
    pod.resource = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'p-123' };
    pod.ownerKinds = ['ReplicaSet'];
    const p = project({ workloads: [pod] });
    expect(ids(p).findings).toEqual([]);
    expect(ids(p, config({ webhook: { validateOwnedPods: true } })).findings).toHaveLength(1);
  });

  test('a rule that throws becomes a note; other rules still report', () => {
    const broken: Rule = {
      meta: {
        id: 'broken',
        defaultSeverity: 'error',
        description: '',
        catches: '',
        rationale: '',
        remediation: '',
        messages: {},
        examples: { bad: '', good: '' },
        docs: '',
      },
      checkWorkload: () => {
        throw new Error('boom');
      },
    };
    const ok: Rule = {
      ...broken,
      meta: { ...broken.meta, id: 'ok', messages: { m: 'hi {{n}}' } },
      checkWorkload: (ctx) =>
        ctx.report({ messageId: 'm', data: { n: ctx.workload.resource.name }, at: ctx.workload.at }),
    };
    const ev = evaluate(project({ workloads: [emptyDirApp()] }), { config: config(), rules: [broken, ok] });
    expect(ev.findings.map((f) => f.message)).toEqual(['hi portal']);
    expect(ev.notes.map((n) => n.message)).toEqual([
      'internal error in rule broken while checking Deployment portal: boom',
    ]);
  });

  test('resources lists every workload and claim evaluated, passes included', () => {
    const good = workload('db', [
      container('db', { imageRef: 'redis', mounts: [mount('/data', pvc('data', 'db-data'))] }),
    ]);
    const ev = ids(project({ workloads: [good], claims: [claim('db-data')] }));
    expect(ev.findings).toEqual([]);
    expect(ev.resources.map((r) => `${r.resource.kind}/${r.resource.name}`)).toEqual([
      'Deployment/db',
      'PersistentVolumeClaim/db-data',
    ]);
  });

  test('target: k3s forces, kubernetes forbids, auto follows signals and imports', () => {
    const at = { kind: 'pos' as const, file: 'x.sh', line: 1, column: 1 };
    expect(targetsK3s(config({ target: 'k3s' }), project())).toBe(true);
    expect(targetsK3s(config(), project())).toBe(false);
    expect(targetsK3s(config(), project({ k3sSignals: [at] }))).toBe(true);
    expect(targetsK3s(config(), project({ imports: [{ method: 'k3s ctr', at }] }))).toBe(true);
    expect(targetsK3s(config({ target: 'kubernetes' }), project({ k3sSignals: [at] }))).toBe(false);
  });
});

describe('engine: exemptions', () => {
  test('annotation with a reason suppresses (kept, marked); without a reason it is not honoured and noted', () => {
    const ok = emptyDirApp('a', {
      'persistguard.io/ignore': 'sqlite-in-tmp, data-path-pvc',
      'persistguard.io/ignore-reason': 'scratch data, rebuilt nightly',
    });
    const noReason = emptyDirApp('b', { 'persistguard.io/ignore': 'data-path-pvc' });
    const blank = emptyDirApp('c', { 'persistguard.io/ignore': '*', 'persistguard.io/ignore-reason': '   ' });
    const ev = ids(project({ workloads: [ok, noReason, blank] }));
    expect(ev.findings.map((f) => [f.resource.name, f.suppressed, f.suppression])).toEqual([
      ['a', true, { kind: 'annotation', reason: 'scratch data, rebuilt nightly' }],
      ['b', false, undefined],
      ['c', false, undefined],
    ]);
    expect(ev.notes.map((n) => n.message)).toEqual([
      'Deployment default/b: persistguard.io/ignore is not honoured without a non-empty persistguard.io/ignore-reason',
      'Deployment default/c: persistguard.io/ignore is not honoured without a non-empty persistguard.io/ignore-reason',
    ]);
  });

  test('an ignore list naming other rules does not suppress', () => {
    const w = emptyDirApp('a', { 'persistguard.io/ignore': 'rwo-shared-claim', 'persistguard.io/ignore-reason': 'x' });
    expect(ids(project({ workloads: [w] })).findings.map((f) => f.suppressed)).toEqual([false]);
  });

  test('compose labels io.persistguard.ignore / ignore-reason work the same', () => {
    const svc = composeService('api', container('api', { envs: { DATA_DIR: '/data' } }), {});
    svc.annotations['io.persistguard.ignore'] = { value: '*', at: svc.at };
    svc.annotations['io.persistguard.ignore-reason'] = { value: 'stateless demo', at: svc.at };
    expect(ids(project({ workloads: [svc] })).findings.map((f) => [f.ruleId, f.suppressed])).toEqual([
      ['data-path-pvc', true],
    ]);
  });

  test('config can forbid annotation exemptions', () => {
    const w = emptyDirApp('a', { 'persistguard.io/ignore': '*', 'persistguard.io/ignore-reason': 'because' });
    const ev = ids(
      project({ workloads: [w] }),
      config({ allowAnnotationExemptions: false, source: '.persistguard.yaml' }),
    );
    expect(ev.findings.map((f) => f.suppressed)).toEqual([false]);
    expect(ev.notes.map((n) => n.message)).toEqual([
      'Deployment default/a: persistguard.io/ignore is not honoured because the config sets allowAnnotationExemptions: false (.persistguard.yaml)',
    ]);
  });

  test('config exemptions match globs on every given field; expiry is inclusive of the day; expired ones are noted', () => {
    const w = emptyDirApp('portal-v2');
    const ex = (e: Partial<ConfigExemption>): ConfigExemption => ({
      rules: ['data-path-pvc'],
      reason: 'migrating to a PVC',
      ...e,
    });
    const p = project({ workloads: [w] });
    const run = (e: ConfigExemption, now = '2026-06-01T12:00:00Z') =>
      ids(p, config({ exemptions: [e], source: '.persistguard.yaml' }), new Date(now));
    expect(
      run(
        ex({
          name: 'portal-*',
          namespace: 'default',
          kind: 'Deployment',
          container: 'portal-*',
          path: '/app/**',
          file: '*.yaml',
        }),
      ).findings[0]?.suppression,
    ).toEqual({ kind: 'config', reason: 'migrating to a PVC' });
    expect(run(ex({ name: 'other-*' })).findings[0]?.suppressed).toBe(false);
    expect(run(ex({ rules: ['*'] })).findings[0]?.suppressed).toBe(true);
    expect(run(ex({ expires: '2026-06-01' }), '2026-06-01T23:00:00Z').findings[0]?.suppression).toEqual({
      kind: 'config',
      reason: 'migrating to a PVC',
      expires: '2026-06-01',
    });
    const expired = run(ex({ expires: '2026-05-31' }));
    expect(expired.findings[0]?.suppressed).toBe(false);
    expect(expired.notes).toEqual([
      {
        file: '.persistguard.yaml',
        message:
          'exemption #1 (data-path-pvc) expired on 2026-05-31 and is no longer honoured (reason was: migrating to a PVC)',
      },
    ]);
    const bad = run(ex({ expires: 'next week' }));
    expect(bad.findings[0]?.suppressed).toBe(false);
    expect(bad.notes[0]?.message).toContain('is not a YYYY-MM-DD date');
  });
});

describe('engine: configured severity can raise a rule whose findings carry no own severity', () => {
  test('pvc-missing in files is a warning by default and an error when configured', () => {
    const w = workload('a', [container('a', { mounts: [mount('/x', pvc('x', 'typo'))] })]);
    const p = project({ workloads: [w], claims: [claim('real')] });
    expect(ids(p).findings.map((f) => [f.ruleId, f.severity])).toEqual([['pvc-missing', 'warning']]);
    expect(
      ids(p, resolveConfig({ rules: { 'pvc-missing': 'error' } })).findings.map((f) => [f.ruleId, f.severity]),
    ).toEqual([['pvc-missing', 'error']]);
  });
});
