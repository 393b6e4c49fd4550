import type { Rule } from './rule.js';
import type { Severity } from '../model/findings.js';
import type { Anchor, MountModel, VolumeModel } from '../model/model.js';
import type { DataPath } from '../facts/data-paths.js';
import { describeVolume, durabilityOf, isUnder, mountsBelow } from '../facts/mounts.js';
import { normalizePosixPath } from '../facts/sqlite.js';
import { coveringMount, lifecycle, volumeOf } from './common.js';

const min = (a: Severity, b: Severity): Severity => (a === 'warning' || b === 'warning' ? 'warning' : 'error');

export const rule: Rule = {
  meta: {
    id: 'data-path-pvc',
    defaultSeverity: 'error',
    description:
      'A declared data directory must be on a volume that outlives the pod (a PVC; compose: a named volume or bind mount).',
    catches:
      'a declared data path not on a volume that outlives the pod (unmounted, `emptyDir`, `ephemeral`, `configMap`/`secret`/`projected`; `hostPath` is a warning). Compose: `tmpfs` or unmounted fails, anonymous volume warns. The deepest mount covering the path decides.',
    rationale:
      'Data written to the container filesystem, an emptyDir, a generic ephemeral volume or a tmpfs is deleted with the pod or container. ' +
      'A portal kept /app/data in the container while only its logs had a PVC; the next rollout wiped every user upload.',
    remediation:
      'Mount a PersistentVolumeClaim (or a StatefulSet volumeClaimTemplate) at the data path; in compose, mount a named volume or a bind mount there.',
    messages: {
      unmounted:
        'Container "{{container}}" keeps data in {{path}} ({{reason}}), but no volume is mounted there: it lives in the container filesystem and is lost when {{lifecycle}}.',
      partial:
        'Container "{{container}}" keeps data in {{path}} ({{reason}}), but only subdirectories of it are mounted ({{mounts}}); everything else in {{path}} is lost when {{lifecycle}}.',
      ephemeral:
        'Container "{{container}}" keeps data in {{path}} ({{reason}}) on {{volume}} mounted at {{mountPath}}, which is deleted with the {{owner}}.',
      hostPath:
        'Container "{{container}}" keeps data in {{path}} ({{reason}}) on {{volume}} mounted at {{mountPath}}: it survives restarts but is bound to one node; a pod scheduled elsewhere starts empty.',
      anonymous:
        'Container "{{container}}" keeps data in {{path}} ({{reason}}) on an anonymous volume mounted at {{mountPath}}: it survives a restart and a plain recreate, but `docker compose down` then `up` starts with a new empty one, and `down -v`, `up --renew-anon-volumes` and `docker volume prune` delete it.',
      imageVolume:
        'Container "{{container}}" keeps data in {{path}} ({{reason}}) with no volume mounted there, so it lands on the anonymous volume Docker creates for the image\'s VOLUME {{mountPath}}: it survives a restart and a plain recreate, but `docker compose down` then `up` starts with a new empty one, and `down -v`, `up --renew-anon-volumes` and `docker volume prune` delete it.',
      shadowed:
        'Container "{{container}}" keeps data in {{path}} ({{reason}}), but the image declares VOLUME {{mountPath}}, so Docker mounts an anonymous volume there, on top of {{outerVolume}} at {{outerMountPath}}: the data is not in {{outerVolume}}, and after `docker compose down` then `up` it starts empty.',
      undefinedVolume:
        'Container "{{container}}" keeps data in {{path}} ({{reason}}), but the mount at {{mountPath}} names volume "{{volume}}", which is not defined.',
    },
    examples: {
      bad: 'containers:\n  - name: portal\n    env: [{ name: DATA_DIR, value: /app/data }]\n    # nothing mounted at /app/data',
      good: 'containers:\n  - name: portal\n    env: [{ name: DATA_DIR, value: /app/data }]\n    volumeMounts: [{ name: data, mountPath: /app/data }]\nvolumes:\n  - name: data\n    persistentVolumeClaim: { claimName: portal-data }',
    },
    docs: 'docs/rules/data-path-pvc.md',
  },
  checkWorkload(ctx) {
    const w = ctx.workload;
    const compose = w.source === 'compose';
    const remediation = (path: string): string =>
      compose
        ? `Mount a named volume at ${path} (services.<name>.volumes: ["<volume>:${path}"] plus a top-level volumes entry) or a bind mount.`
        : `Mount a PersistentVolumeClaim at ${path} (volumeMounts + volumes.persistentVolumeClaim), or use a StatefulSet volumeClaimTemplate.`;
    for (const { container, dataPaths, imageVolumes } of ctx.containers) {
      const mounts = withImageVolumes(container.mounts, imageVolumes, container.image?.at ?? container.at);
      const persisted = (path: string): boolean => {
        const m = coveringMount(mounts, path);
        const v = m && volumeOf(w, m);
        const d = v ? durabilityOf(v.kind) : undefined;
        return d === 'persistent' || d === 'unknown';
      };
      const coverOf = new Map(dataPaths.map((d) => [d, coveringMount(mounts, d.path)]));
      const byPath = new Map(dataPaths.map((d) => [d.path, d]));
      for (const dp of dataPaths) {
        // A path inside another declared path with the same covering mount (or none) has the same fate:
        // the parent's finding already says it (ghost's SQLite file under its content dir). Walking up the
        // path's ancestors keeps this linear in the number of paths.
        if (hasParentSaying(dp, byPath, coverOf)) continue;
        // Another version of the image keeps the same data elsewhere (postgres ≤ 17 when the tag is a
        // variable): persisting that layout is enough.
        if (dp.alternatives?.some(persisted)) continue;
        // A SQLite file in a temp dir is sqlite-in-tmp's finding; saying it twice adds noise, not information.
        if (
          dp.origin === 'sqlite' &&
          dp.sqliteFile &&
          ctx.config.tempDirs.some((t) => isUnder(dp.sqliteFile as string, normalizePosixPath(t)))
        )
          continue;
        const base = { container: container.name, path: dp.path, reason: dp.reason, lifecycle: lifecycle(w) };
        const fix = remediation(dp.mountHint ?? dp.path);
        const m = coverOf.get(dp);
        if (!m) {
          const below = mountsBelow(container.mounts, dp.path);
          const messageId = below.length > 0 ? 'partial' : 'unmounted';
          ctx.report({
            messageId,
            data: { ...base, mounts: below.map((b) => b.mountPath).join(', ') },
            at: dp.at,
            container: container.name,
            path: dp.path,
            severity: dp.severity,
            remediation: fix,
          });
          continue;
        }
        const v = volumeOf(w, m);
        const data = {
          ...base,
          mountPath: m.mountPath,
          volume: describeVolume(v, m),
          owner: compose ? 'container' : 'pod',
        };
        if (!v) {
          ctx.report({
            messageId: 'undefinedVolume',
            data: { ...data, volume: m.volumeName ?? '?' },
            at: m.at,
            container: container.name,
            path: dp.path,
            severity: dp.severity,
          });
          continue;
        }
        if (IMAGE_VOLUME.has(v)) {
          const outer = coveringMount(container.mounts, dp.path);
          const outerVolume = outer && volumeOf(w, outer);
          if (outer && outerVolume && durabilityOf(outerVolume.kind) === 'persistent') {
            ctx.report({
              messageId: 'shadowed',
              data: { ...data, outerMountPath: outer.mountPath, outerVolume: describeVolume(outerVolume, outer) },
              at: outer.at,
              container: container.name,
              path: dp.path,
              severity: dp.severity,
              remediation: `Mount the volume at ${m.mountPath} (the image's VOLUME), not at ${outer.mountPath}.`,
            });
            continue;
          }
          ctx.report({
            messageId: 'imageVolume',
            data,
            at: dp.at,
            container: container.name,
            path: dp.path,
            severity: min(dp.severity, 'warning'),
            remediation: remediation(m.mountPath),
          });
          continue;
        }
        const durability = durabilityOf(v.kind);
        if (durability === 'persistent' || durability === 'unknown') continue;
        const messageId = durability === 'node' ? 'hostPath' : durability === 'anonymous' ? 'anonymous' : 'ephemeral';
        const severity = durability === 'ephemeral' ? dp.severity : min(dp.severity, 'warning');
        ctx.report({
          messageId,
          data,
          at: m.at,
          container: container.name,
          path: dp.path,
          severity,
          remediation: fix,
        });
      }
    }
  },
};

/** Anonymous volumes Docker adds for the image's VOLUME directories (marked so messages can say so). */
const IMAGE_VOLUME = new WeakSet<VolumeModel>();

function withImageVolumes(
  mounts: readonly MountModel[],
  imageVolumes: readonly string[] | undefined,
  at: Anchor,
): readonly MountModel[] {
  if (!imageVolumes || imageVolumes.length === 0) return mounts;
  const explicit = new Set(mounts.map((m) => normalizePosixPath(m.mountPath)));
  const out = [...mounts];
  for (const dir of imageVolumes) {
    if (explicit.has(dir)) continue;
    const volume: VolumeModel = { name: dir, kind: 'composeAnonymous', at };
    IMAGE_VOLUME.add(volume);
    out.push({ mountPath: dir, volume, readOnly: false, at });
  }
  return out;
}

function hasParentSaying(
  dp: DataPath,
  byPath: ReadonlyMap<string, DataPath>,
  coverOf: ReadonlyMap<DataPath, MountModel | undefined>,
): boolean {
  let p = dp.path;
  while (p !== '/') {
    const i = p.lastIndexOf('/');
    p = i <= 0 ? '/' : p.slice(0, i);
    const o = byPath.get(p);
    if (o && o !== dp && coverOf.get(o) === coverOf.get(dp) && (o.severity === 'error' || dp.severity === 'warning'))
      return true;
  }
  return false;
}
