/**
 * W12: the claim guard's edges, on admit() over real AdmissionReview requests: how the protection label
 * value reads, and an UPDATE that removes the label before a delete.
 */
import { describe, expect, test } from '@jest/globals';
import { defaultConfig } from '../../policies/config/types.js';
import { admit, type AdmissionOptions } from '../../webhook/admission.js';
import { readProtection } from '../../webhook/claim-protection.js';
import { parseAdmissionReview, type AdmissionRequest } from '../../webhook/review.js';
import { fixture } from './helpers.js';

type Labels = Record<string, string>;

function claim(labels: Labels, annotations: Labels = {}) {
  const review = fixture('pvc-delete-protected.json');
  const old = (review.request as { oldObject: { metadata: Record<string, unknown> } }).oldObject;
  return { ...old, metadata: { ...old.metadata, labels: { app: 'ledger', ...labels }, annotations } };
}

function request(operation: string, object: unknown, oldObject: unknown): AdmissionRequest {
  const review = fixture('pvc-delete-protected.json');
  Object.assign(review.request as Record<string, unknown>, { operation, object, oldObject });
  return parseAdmissionReview(review);
}

const decide = (r: AdmissionRequest, opts: Partial<AdmissionOptions> = {}) =>
  admit(r, { config: defaultConfig(), mode: 'enforce', ...opts });

const LABEL = 'persistguard.io/protected';

describe('protection label spellings', () => {
  test.each(['true', 'True', 'TRUE', 'yes', 'Yes', 'on', 'y', '1', ' true'])(
    'deleting a claim labelled %j is guarded',
    (value) => {
      const d = decide(request('DELETE', null, claim({ [LABEL]: value })));
      expect(d).toMatchObject({ verdict: 'deny', reason: 'pvc-guard' });
    },
  );

  test.each(['false', 'False', 'no', 'off', '0'])('deleting a claim labelled %j is not guarded', (value) => {
    const d = decide(request('DELETE', null, claim({ [LABEL]: value })));
    expect(d).toMatchObject({ verdict: 'allow', reason: 'not-validated' });
  });

  test('an unrecognised value guards the claim and is reported when it is written', () => {
    expect(readProtection('enabled')).toBe('unrecognised');
    expect(decide(request('DELETE', null, claim({ [LABEL]: 'enabled' })))).toMatchObject({ verdict: 'deny' });
    const d = decide(request('CREATE', claim({ [LABEL]: 'enabled' }), null));
    expect(d.response.allowed).toBe(true);
    expect(d.response.warnings?.[0]).toContain('is not a boolean; the claim is guarded as if it were "true"');
  });
});

describe('removing the protection label', () => {
  test('an UPDATE that removes the label is denied with the commands to confirm', () => {
    const d = decide(request('UPDATE', claim({}), claim({ [LABEL]: 'true' })));
    expect(d).toMatchObject({ verdict: 'deny', reason: 'pvc-guard' });
    expect(d.response.status?.code).toBe(403);
    expect(d.response.status?.message).toContain(
      'kubectl annotate pvc ledger-db -n finance persistguard.io/confirm-delete=ledger-db',
    );
  });

  test('an UPDATE that sets the label to false is denied too', () => {
    const d = decide(request('UPDATE', claim({ [LABEL]: 'false' }), claim({ [LABEL]: 'yes' })));
    expect(d.verdict).toBe('deny');
  });

  test('the confirmed sequence goes through: annotate, then remove the label', () => {
    const annotate = decide(
      request(
        'UPDATE',
        claim({ [LABEL]: 'true' }, { 'persistguard.io/confirm-delete': 'ledger-db' }),
        claim({ [LABEL]: 'true' }),
      ),
    );
    expect(annotate.response.allowed).toBe(true);
    const unlabel = decide(
      request(
        'UPDATE',
        claim({}, { 'persistguard.io/confirm-delete': 'ledger-db' }),
        claim({ [LABEL]: 'true' }, { 'persistguard.io/confirm-delete': 'ledger-db' }),
      ),
    );
    expect(unlabel.response).toEqual({ uid: unlabel.response.uid, allowed: true });
  });

  test('label-preserving updates and claims never labelled are untouched', () => {
    expect(decide(request('UPDATE', claim({ [LABEL]: 'true', x: 'y' }), claim({ [LABEL]: 'true' }))).verdict).toBe(
      'allow',
    );
    expect(decide(request('UPDATE', claim({ x: 'y' }), claim({}))).verdict).toBe('allow');
  });

  test('audit mode only warns', () => {
    const d = decide(request('UPDATE', claim({}), claim({ [LABEL]: 'true' })), { mode: 'audit' });
    expect(d.response.allowed).toBe(true);
    expect(d.response.warnings?.[0]).toContain('would deny');
  });
});
