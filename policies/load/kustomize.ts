/**
 * Files a kustomization uses as patches. A patch is a fragment of a resource (an overlay that only changes
 * `image:`), so judging it as a whole resource gives false findings. Rendering overlays is the render
 * module's job; here we only recognise the fragments so they are not judged alone.
 */
import path from 'node:path';
import jsYaml from 'js-yaml';
import { isObj } from './values.js';

/** Keys whose entries name patch files: a string, or `{ path: … }`. */
const PATCH_KEYS = ['patchesStrategicMerge', 'patchesJson6902', 'patches'] as const;

function patchPaths(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of PATCH_KEYS) {
    const list = doc[key];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      // An inline patch (a multi-line string or `patch:`) names no file.
      if (typeof entry === 'string' && !entry.includes('\n')) out.push(entry);
      else if (isObj(entry) && typeof entry.path === 'string') out.push(entry.path);
    }
  }
  return out;
}

/**
 * The display paths of the patch files `kustomizationFile` (a display path, `/`-separated) refers to.
 * Never throws: a kustomization that does not parse names no patches.
 */
export function kustomizePatchFiles(kustomizationFile: string, text: string): string[] {
  let doc: unknown;
  try {
    doc = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  } catch {
    return [];
  }
  if (!isObj(doc)) return [];
  const dir = path.posix.dirname(kustomizationFile);
  return patchPaths(doc)
    .filter((p) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(p) && !path.posix.isAbsolute(p))
    .map((p) => path.posix.normalize(path.posix.join(dir, p)));
}
