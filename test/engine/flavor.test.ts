import { evaluate, targetsK3s } from '../../policies/engine/engine.js';
import { fileClusterView } from '../../policies/engine/file-view.js';
import type { ClusterView } from '../../policies/model/cluster-view.js';
import { config, container, project, workload } from '../rules/builders.js';

// A live view is not available here; this test double is the file view with a chosen cluster flavor.
function viewWithFlavor(p: ReturnType<typeof project>, flavor: 'k3s' | 'kubernetes'): ClusterView {
  const base = fileClusterView(p);
  return Object.assign(Object.create(base) as ClusterView, { flavor: () => flavor });
}

describe('target auto and the cluster flavor (test double view)', () => {
  const p = project({
    workloads: [workload('app', [container('app', { imageRef: 'kilo/app:latest', pull: 'Never' })])],
  });

  test('a k3s cluster switches on the k3s image checks for target auto', () => {
    expect(targetsK3s(config(), p, viewWithFlavor(p, 'k3s'))).toBe(true);
    const ids = evaluate(p, { config: config(), view: viewWithFlavor(p, 'k3s') }).findings.map((f) => f.ruleId);
    expect(ids).toContain('k3s-image-import');
  });

  test('a plain Kubernetes cluster, or target kubernetes, does not', () => {
    expect(targetsK3s(config(), p, viewWithFlavor(p, 'kubernetes'))).toBe(false);
    expect(targetsK3s(config({ target: 'kubernetes' }), p, viewWithFlavor(p, 'k3s'))).toBe(false);
    const ids = evaluate(p, { config: config(), view: viewWithFlavor(p, 'kubernetes') }).findings.map((f) => f.ruleId);
    expect(ids).not.toContain('k3s-image-import');
  });
});
