import type { Rule, WorkloadRuleContext } from './rule.js';
import type { ContainerModel } from '../model/model.js';
import { anchorFile } from '../model/model.js';
import { effectivePullPolicy, isMutableTag, parseImage } from '../facts/images.js';
import { factNamesImage, imageMatches, imageMatchesAny } from '../facts/image-match.js';

export const LOCAL_IMAGE_ANNOTATION = 'persistguard.io/local-image';

function dirSegments(file: string): string[] {
  const parts = file.replace(/\\/g, '/').split('/');
  parts.pop();
  return parts.filter((p) => p !== '' && p !== '.');
}

function commonDepth(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

export function importCommand(image: string): string {
  return `docker save ${image} | sudo k3s ctr images import -`;
}

/** Why an image counts as local (never pulled from a registry), or undefined when it does not. */
function localReason(ctx: WorkloadRuleContext, c: ContainerModel, image: string, policy: string): string | undefined {
  const build = ctx.project.builds.find((b) => factNamesImage(b.image, image));
  if (build) return `built locally with ${build.tool}`;
  if (imageMatchesAny(ctx.config.localImages, image)) return 'listed in config localImages';
  const ann = ctx.workload.annotations[LOCAL_IMAGE_ANNOTATION]?.value.trim();
  if (ann) {
    const items = ann.split(/[,\s]+/).filter((s) => s !== '');
    if (ann === 'true' || items.includes(c.name) || items.some((p) => imageMatches(p, image)))
      return `annotated ${LOCAL_IMAGE_ANNOTATION}`;
  }
  if (policy === 'Never') return 'pulled with imagePullPolicy Never';
  return undefined;
}

/**
 * The other spelling of an unqualified local image: Podman (and Buildah) name local builds `localhost/x`,
 * while a manifest's `x` means `docker.io/library/x`. containerd treats them as two different images.
 */
function twinOf(image: string): string | undefined {
  const r = parseImage(image);
  if (!r) return undefined;
  const tag = r.digest ? `@${r.digest}` : `:${r.tag ?? 'latest'}`;
  if (r.registry === 'docker.io' && r.repository.startsWith('library/'))
    return `localhost/${r.repository.slice('library/'.length)}${tag}`;
  if (r.registry === 'localhost') return `${r.repository}${tag}`;
  return undefined;
}

export const rule: Rule = {
  meta: {
    id: 'k3s-image-import',
    defaultSeverity: 'error',
    description:
      'On k3s, a locally built image must be imported into containerd under the exact reference the manifest uses, and not pulled.',
    catches:
      'on k3s: a locally built image pulled with `Always` (also the implicit `Always` of `:latest`), a local image with no import step (the message gives the exact `docker save IMAGE \\| sudo k3s ctr images import -`), a mutable tag with `IfNotPresent`',
    severityNote: 'error / warning',
    rationale:
      "k3s runs containerd, which does not see Docker's or Podman's image store. A rebuilt image that is never imported is not what runs; " +
      'a local image with imagePullPolicy Always (explicit, or implied by :latest) fails with ErrImagePull; and a mutable tag with IfNotPresent ' +
      'keeps the old image after a rebuild. A k3s service ran a week-old build of kilo/financial:latest because the new one was never imported.',
    remediation:
      'Import every build into k3s (docker save IMAGE | sudo k3s ctr images import -), use imagePullPolicy: Never for local images, and tag each build uniquely.',
    messages: {
      alwaysPull:
        'Container "{{container}}" runs {{image}} ({{why}}) with {{policy}}: k3s tries to pull it from {{registry}} and the pod fails with ErrImagePull/ImagePullBackOff.',
      missingImport:
        'Image {{image}} of container "{{container}}" is {{why}}, but no step imports it into k3s (containerd does not see the Docker/Podman image store): the pod fails to start, or runs a stale copy.',
      absentOnNode:
        'Image {{image}} of container "{{container}}" ({{why}}) is not present on {{node}} and is pulled with {{policy}}: the pod cannot start there.',
      mutableTag:
        'Container "{{container}}" uses the mutable tag {{image}} ({{why}}) with imagePullPolicy IfNotPresent: after a rebuild, nodes keep the image they already have and running pods are not replaced.',
      nameMismatch:
        'Container "{{container}}" uses {{image}}, which k3s resolves to {{normalized}}, but the image built/imported here is {{twin}} (Podman names local builds localhost/…){{pull}}. If a kustomize overlay rewrites the image, scan the rendered output (kustomize build … | persistguard scan -).',
    },
    examples: {
      bad: 'image: kilo/financial:latest     # built by scripts/deploy.sh, never imported\nimagePullPolicy: IfNotPresent',
      good: 'image: kilo/financial:2024-06-01-3f2c1a   # docker save … | sudo k3s ctr images import -\nimagePullPolicy: Never',
    },
    docs: 'docs/rules/k3s-image-import.md',
    usesClusterView: true,
  },
  checkWorkload(ctx) {
    const w = ctx.workload;
    if (!ctx.targetsK3s || w.source !== 'kubernetes') return;
    for (const { container: c } of ctx.containers) {
      if (!c.image) continue;
      const image = c.image.value;
      const ref = parseImage(image);
      if (!ref) continue;
      const explicit = c.imagePullPolicy?.value;
      const policy = effectivePullPolicy(image, explicit);
      const policyAt = c.imagePullPolicy?.at ?? c.image.at;
      const policyText = explicit
        ? `imagePullPolicy ${explicit}`
        : `the implicit imagePullPolicy ${policy} of ${ref.tag === undefined ? 'an untagged' : 'a :latest'} image`;
      const why = localReason(ctx, c, image, policy);
      if (!why) {
        const twin = twinOf(image);
        const twinFact = twin
          ? [
              ...ctx.project.builds.map((b) => b.image),
              ...ctx.project.imports.flatMap((i) => (i.image ? [i.image] : [])),
            ].find((f) => factNamesImage(f, twin))
          : undefined;
        if (twin && twinFact) {
          ctx.report({
            messageId: 'nameMismatch',
            data: {
              container: c.name,
              image,
              normalized: ref.normalized,
              twin,
              pull:
                policy === 'Always'
                  ? `; with ${policyText} the pull from ${ref.registry} fails (ErrImagePull)`
                  : `; k3s looks for ${ref.normalized}, which nothing imports`,
            },
            at: c.image.at,
            container: c.name,
            path: image,
            remediation: `Use the exact reference ${twin} with imagePullPolicy: Never in the manifest, and import it on every build: ${importCommand(twin)}`,
          });
        }
        continue;
      }
      const base = { container: c.name, image, why, policy: policyText, registry: ref.registry };
      if (policy === 'Always') {
        ctx.report({
          messageId: 'alwaysPull',
          data: base,
          at: policyAt,
          container: c.name,
          path: image,
          remediation: `Set imagePullPolicy: Never (or IfNotPresent with a unique tag per build) and import the image: ${importCommand(image)}`,
        });
      }
      if (ctx.view.kind === 'files') {
        // Only imports at least as close to the manifest as the nearest build of the image count: a repo
        // with broken/ and fixed/ trees (or two apps) must not let one tree's import excuse the other.
        const manifestDir = dirSegments(w.file);
        const builds = ctx.project.builds.filter((b) => factNamesImage(b.image, image));
        const minDepth =
          builds.length > 0
            ? Math.max(...builds.map((b) => commonDepth(manifestDir, dirSegments(anchorFile(b.at)))))
            : 0;
        // An import whose image could not be told (a tarball of unknown content) may be this one: stay silent.
        const imported = ctx.project.imports.some(
          (i) =>
            (i.image === undefined || factNamesImage(i.image, image)) &&
            commonDepth(manifestDir, dirSegments(anchorFile(i.at))) >= minDepth,
        );
        if (!imported)
          ctx.report({
            messageId: 'missingImport',
            data: base,
            at: c.image.at,
            container: c.name,
            path: image,
            remediation: importCommand(image),
          });
      } else if (policy !== 'Always' && ctx.view.imagePresence(image, w.nodeName) === 'absent') {
        ctx.report({
          messageId: 'absentOnNode',
          data: { ...base, node: w.nodeName ? `node ${w.nodeName}` : 'any node' },
          at: c.image.at,
          container: c.name,
          path: image,
          remediation: importCommand(image),
        });
      }
      if (policy === 'IfNotPresent' && isMutableTag(image)) {
        ctx.report({
          messageId: 'mutableTag',
          data: base,
          at: policyAt,
          container: c.name,
          path: image,
          severity: 'warning',
          remediation:
            'Tag every build uniquely (e.g. the git SHA) and update the manifest, or use imagePullPolicy: Never and import on every build, then restart the rollout.',
        });
      }
    }
  },
};
