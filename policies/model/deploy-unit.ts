/**
 * Deploy units: a repository often holds several projects side by side (a homelab monorepo, an examples
 * collection). A fact found in one of them (a k3s import script) must not change how another is judged.
 *
 * Without a full project model, the directory tree decides: a fact at `a/b/deploy.sh` speaks for a workload
 * at `a/k8s/app.yaml` (their common directory `a/` holds one project, the script's branch `b/` holds no
 * workload of its own), but not for `c/app.yaml` when the script's branch `a/` holds workloads of its own:
 * then `a/` is a project and `c/` another one.
 */

function dirSegments(file: string): string[] {
  const parts = file.replace(/\\/g, '/').split('/');
  parts.pop();
  return parts.filter((p) => p !== '' && p !== '.');
}

function startsWith(dir: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= dir.length && prefix.every((p, i) => dir[i] === p);
}

/** Decides which workload files a fact's file speaks for, given the files of every workload in the scan. */
export class DeployUnits {
  private readonly dirs: string[][];
  private readonly cache = new Map<string, boolean>();

  constructor(workloadFiles: Iterable<string>) {
    const seen = new Set<string>();
    this.dirs = [];
    for (const f of workloadFiles) {
      const d = dirSegments(f);
      const key = d.join('/');
      if (seen.has(key)) continue;
      seen.add(key);
      this.dirs.push(d);
    }
  }

  /** Whether a fact found in `factFile` belongs to the deploy unit of a workload defined in `workloadFile`. */
  covers(factFile: string, workloadFile: string): boolean {
    const key = `${factFile}\u0000${workloadFile}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const fact = dirSegments(factFile);
    const target = dirSegments(workloadFile);
    let common = 0;
    while (common < fact.length && common < target.length && fact[common] === target[common]) common++;
    // A fact directly in the common directory speaks for all of it; otherwise its branch must hold no
    // workload of its own (else that branch is a project and the workload lives in another one).
    const ok = common === fact.length || !this.dirs.some((d) => startsWith(d, fact.slice(0, common + 1)));
    this.cache.set(key, ok);
    return ok;
  }
}
