import type { Rule, WorkloadRuleContext } from './rule.js';
import type { DockerfileCopy, MountModel, VolumeModel } from '../model/model.js';
import { deepestCoveringMount, describeVolume, isUnder } from '../facts/mounts.js';
import { dockerfileLookup, type DockerfileLookup } from '../facts/dockerfiles.js';
import { volumeOf } from './common.js';

/**
 * Volumes that show their own content over the image's: a claim (Kubernetes never copies image content
 * into a volume) and a bind mount. A new, empty compose named volume is filled from the image by Docker.
 */
function hidesImage(v: VolumeModel): boolean {
  return v.kind === 'persistentVolumeClaim' || v.kind === 'claimTemplate' || v.kind === 'composeBind';
}

const lookups = new WeakMap<object, DockerfileLookup>();

function lookupFor(ctx: WorkloadRuleContext): DockerfileLookup {
  let l = lookups.get(ctx.project);
  if (!l) {
    l = dockerfileLookup(ctx.project);
    lookups.set(ctx.project, l);
  }
  return l;
}

/** An init container that runs the same image and mounts the same volume is the seeding step. */
function seededByInit(ctx: WorkloadRuleContext, image: string | undefined, m: MountModel): boolean {
  return ctx.workload.containers.some(
    (c) =>
      c.role === 'initContainer' &&
      c.image?.value === image &&
      c.mounts.some((x) => x.volumeName !== undefined && x.volumeName === m.volumeName),
  );
}

export const rule: Rule = {
  meta: {
    id: 'mount-hides-image-files',
    defaultSeverity: 'warning',
    description:
      "A claim (or a compose bind mount) must not be mounted over a directory the image's Dockerfile fills at build time.",
    catches:
      "a claim (compose: a bind mount holding data) mounted over a directory the image's Dockerfile fills at build time",
    rationale:
      'A volume mounted at a directory replaces what the image has there. Docker copies image content into a new, empty named volume; ' +
      'Kubernetes never does, and a bind mount never does either: the seed database, default config or migrations the Dockerfile ' +
      'copied into /app/data vanish at run time, and the application starts without them (or creates an empty database in their place).',
    remediation:
      'Keep seed files outside the data directory (COPY seed/ /opt/seed/) and copy them in from an init container when the volume is empty ' +
      '(cp -an /opt/seed/. /app/data/), or mount the volume one level deeper.',
    messages: {
      hidden:
        'Container "{{container}}" mounts {{volume}} at {{mountPath}}, but its image (built from {{dockerfile}}) puts files there at build time ({{copies}}): the mount hides them at run time{{why}}.',
    },
    examples: {
      bad: '# Dockerfile\nCOPY seed/ /app/data/\n# deployment\nvolumeMounts: [{ name: data, mountPath: /app/data }]   # a PVC: the seed files are hidden',
      good: '# Dockerfile\nCOPY seed/ /opt/seed/\n# deployment\ninitContainers:\n  - name: seed\n    command: [sh, -c, "cp -an /opt/seed/. /app/data/"]\n    volumeMounts: [{ name: data, mountPath: /app/data }]',
    },
    docs: 'docs/rules/mount-hides-image-files.md',
  },
  checkWorkload(ctx) {
    const w = ctx.workload;
    const lookup = lookupFor(ctx);
    for (const { container, dataPaths } of ctx.containers) {
      if (container.role === 'initContainer') continue;
      // A compose bind mount of the source tree over the app (live reload) is deliberate; one that holds
      // the service's data is where seed files go missing.
      const holdsData = (m: MountModel): boolean =>
        dataPaths.some((dp) => isUnder(dp.path, m.mountPath) || isUnder(m.mountPath, dp.path));
      const d = lookup(container);
      if (!d) continue;
      // Copies from the final stage only; `COPY --from=builder` lands in the final image too.
      const byMount = new Map<MountModel, DockerfileCopy[]>();
      for (const copy of d.stage.copies) {
        if (copy.dest === '/') continue;
        const m = deepestCoveringMount(container.mounts, copy.dest);
        if (!m || !isUnder(copy.dest, m.mountPath.replace(/\/+$/, '') || '/')) continue;
        const v = volumeOf(w, m);
        if (!v || !hidesImage(v) || m.subPath !== undefined) continue;
        if (v.kind === 'composeBind' && !holdsData(m)) continue;
        byMount.set(m, [...(byMount.get(m) ?? []), copy]);
      }
      for (const [m, copies] of byMount) {
        if (seededByInit(ctx, container.image?.value, m)) continue;
        const v = volumeOf(w, m) as VolumeModel;
        const line = (c: DockerfileCopy): string => `${c.text} at line ${c.at.kind === 'pos' ? c.at.line : '?'}`;
        ctx.report({
          messageId: 'hidden',
          data: {
            container: container.name,
            volume: describeVolume(v, m),
            mountPath: m.mountPath,
            dockerfile: d.dockerfile.file,
            copies:
              copies.slice(0, 3).map(line).join('; ') + (copies.length > 3 ? `; and ${copies.length - 3} more` : ''),
            why:
              v.kind === 'composeBind'
                ? ' (a bind mount shows the host directory, never the image)'
                : ' (Kubernetes does not copy image content into a volume)',
          },
          at: m.at,
          container: container.name,
          path: m.mountPath,
        });
      }
    }
  },
};
