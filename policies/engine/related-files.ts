/**
 * Which files belong together when judging a change. A Deployment's verdict depends on files other than
 * its own: the PVC it mounts, that claim's StorageClass and PersistentVolume, an autoscaler that raises
 * its replicas, ConfigMaps it takes env from, and the scripts that build and import its images.
 *
 * The Action's `only-changed` mode scans the whole workspace (so every cross-file lookup is answered as in
 * a full scan) and reports only findings in `affectedFiles`: the
 * changed files plus the files of workloads linked to one of them. The reverse direction matters:
 * changing a StorageClass's reclaimPolicy changes the verdict on the Deployment two files away, and that
 * finding is reported in the Deployment's file.
 */
import { normalizeImage } from '../facts/images.js';
import { anchorFile, type Project, type WorkloadModel } from '../model/model.js';

/** Files linked to each workload's file (not including itself). */
export function workloadLinks(project: Project, w: WorkloadModel): Set<string> {
  const links = new Set<string>();
  const ns = w.resource.namespace ?? 'default';
  const sameNs = (other: string | undefined): boolean => (other ?? 'default') === ns;

  const claimNames = new Set<string>();
  for (const v of w.volumes) if (v.kind === 'persistentVolumeClaim' && v.claimName) claimNames.add(v.claimName);
  const claims = project.claims.filter((c) => !c.fromTemplate && claimNames.has(c.name) && sameNs(c.namespace));
  const classNames = new Set<string>();
  for (const c of [...claims, ...w.claimTemplates]) {
    links.add(c.file);
    if (c.storageClassName) classNames.add(c.storageClassName);
  }
  // A claim without a class uses the default class: the default class's file matters too.
  const usesDefaultClass = [...claims, ...w.claimTemplates].some((c) => c.storageClassName === undefined);
  for (const sc of project.storageClasses) {
    if (classNames.has(sc.name) || (usesDefaultClass && sc.isDefault)) links.add(sc.file);
  }
  for (const pv of project.persistentVolumes) {
    const bound = pv.claimRef && claimNames.has(pv.claimRef.name) && sameNs(pv.claimRef.namespace);
    const named = claims.some((c) => c.volumeName === pv.name);
    if (bound || named) links.add(pv.file);
  }
  for (const hpa of project.autoscalers) {
    if (hpa.target.kind === w.resource.kind && hpa.target.name === w.resource.name && sameNs(hpa.namespace))
      links.add(hpa.file);
  }
  const configMaps = new Set(w.containers.flatMap((c) => c.envFromConfigMaps));
  for (const v of w.volumes) if (v.kind === 'configMap' && v.source) configMaps.add(v.source);
  for (const cm of project.configMaps) if (configMaps.has(cm.name) && sameNs(cm.namespace)) links.add(cm.file);

  const images = new Set(w.containers.flatMap((c) => (c.image ? [normalizeImage(c.image.value)] : [])));
  const builtHere = project.builds.filter((b) => images.has(normalizeImage(b.image)));
  for (const b of builtHere) links.add(anchorFile(b.at));
  for (const imp of project.imports) {
    // An import without a known image (a tarball) may be the one that brings this workload's image in.
    if (imp.image ? images.has(normalizeImage(imp.image)) : builtHere.length > 0) links.add(anchorFile(imp.at));
  }
  links.delete(w.file);
  return links;
}

/**
 * The changed files plus the files of workloads whose verdict depends on a changed file (a Deployment
 * whose StorageClass changed): the files whose findings a pull request can have changed.
 */
export function affectedFiles(project: Project, changed: Iterable<string>): Set<string> {
  const changedSet = new Set(changed);
  const result = new Set(changedSet);
  for (const w of project.workloads) {
    if (result.has(w.file)) continue;
    for (const l of workloadLinks(project, w)) {
      if (changedSet.has(l)) {
        result.add(w.file);
        break;
      }
    }
  }
  return result;
}
