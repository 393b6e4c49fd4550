/**
 * UPDATE requests are judged as a change: `oldObject` is the base (data-not-carried-over). One request goes
 * through the real TLS server with a real AdmissionReview v1; the table runs admit() directly.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { admit } from '../../webhook/admission.js';
import { parseAdmissionReview } from '../../webhook/review.js';
import { defaultConfig } from '../../policies/config/types.js';
import { startTestServer, validate, type TestServer } from './helpers.js';

function deployment(opts: { tag?: string; claim?: string; migrated?: string } = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'ledger',
      namespace: 'shop',
      ...(opts.migrated ? { annotations: { 'persistguard.io/data-migrated': opts.migrated } } : {}),
    },
    spec: {
      selector: { matchLabels: { app: 'ledger' } },
      template: {
        metadata: { labels: { app: 'ledger' } },
        spec: {
          containers: [
            {
              name: 'ledger',
              image: `ghcr.io/acme/ledger:${opts.tag ?? '1.4'}`,
              env: [{ name: 'DATABASE_URL', value: 'sqlite:////data/ledger.db' }],
              ...(opts.claim ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}),
            },
          ],
          ...(opts.claim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: opts.claim } }] } : {}),
        },
      },
    },
  };
}

function review(operation: string, object: unknown, oldObject?: unknown) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${operation}`,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: 'ledger',
      namespace: 'shop',
      operation,
      userInfo: { username: 'test' },
      object,
      ...(oldObject !== undefined ? { oldObject } : {}),
    },
  };
}

const carried = (warnings: string[] | undefined) => (warnings ?? []).filter((w) => w.includes('data-not-carried-over'));

describe('admit(): UPDATE compares object with oldObject', () => {
  const config = defaultConfig();
  const judge = (r: ReturnType<typeof review>, mode: 'enforce' | 'audit' = 'enforce', cfg = config) =>
    admit(parseAdmissionReview(r), { config: cfg, mode });

  test.each(['enforce', 'audit'] as const)(
    '%s: a new claim over data kept in the container filesystem warns',
    (mode) => {
      const d = judge(review('UPDATE', deployment({ claim: 'ledger-data' }), deployment()), mode);
      expect(d.response.allowed).toBe(true);
      const w = carried(d.response.warnings);
      expect(w).toHaveLength(1);
      expect(w[0]).toContain('/data/ledger.db in the container filesystem');
    },
  );

  test('an UPDATE that only changes the image tag says nothing about carrying data over', () => {
    const d = judge(
      review('UPDATE', deployment({ tag: '1.5', claim: 'ledger-data' }), deployment({ claim: 'ledger-data' })),
    );
    expect(carried(d.response.warnings)).toEqual([]);
    expect(d.verdict).toBe('allow');
  });

  test('CREATE has no base: nothing to carry over', () => {
    const d = judge(review('CREATE', deployment({ claim: 'ledger-data' })));
    expect(carried(d.response.warnings)).toEqual([]);
  });

  test('a claim renamed on UPDATE warns and names both claims', () => {
    const d = judge(review('UPDATE', deployment({ claim: 'ledger-v2' }), deployment({ claim: 'ledger-data' })));
    expect(carried(d.response.warnings).join('\n')).toMatch(/claimName changed from "ledger-data" to "ledger-v2"/);
  });

  test('raised to error: enforce denies until the migration is recorded; audit only warns', () => {
    const strict = { ...config, rules: { ...config.rules, 'data-not-carried-over': { severity: 'error' as const } } };
    const change = review('UPDATE', deployment({ claim: 'ledger-data' }), deployment());
    const denied = judge(change, 'enforce', strict);
    expect(denied.verdict).toBe('deny');
    expect(denied.response.status?.message).toContain('data-not-carried-over');
    const audited = judge(change, 'audit', strict);
    expect(audited.response.allowed).toBe(true);
    expect(carried(audited.response.warnings)).toHaveLength(1);
    const recorded = judge(
      review('UPDATE', deployment({ claim: 'ledger-data', migrated: '/data' }), deployment()),
      'enforce',
      strict,
    );
    expect(recorded.response.allowed).toBe(true);
    expect(carried(recorded.response.warnings)).toEqual([]);
  });

  test('an unreadable oldObject only means nothing to compare', () => {
    const d = judge(review('UPDATE', deployment({ claim: 'ledger-data' }), { spec: 'garbage' }));
    expect(d.response.allowed).toBe(true);
    expect(carried(d.response.warnings)).toEqual([]);
  });
});

describe('through the real server', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ mode: 'enforce' });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test('an UPDATE AdmissionReview v1 adding a claim is allowed with the warning', async () => {
    const body = await validate(
      srv.server.port,
      srv.ca,
      review('UPDATE', deployment({ claim: 'ledger-data' }), deployment()),
    );
    expect(body.response.allowed).toBe(true);
    expect(carried(body.response.warnings)).toHaveLength(1);
  });
});
