/**
 * Which Dockerfile of the repository builds a container's image: compose `build:`, `docker|podman|nerdctl
 * build -t NAME [-f FILE] CONTEXT` in scripts, Makefiles and workflows. The image names are compared by
 * registry and repository (a CI tag and a deploy tag differ); when several Dockerfiles build the same
 * repository, only an exact tag match links one — never a guess.
 */
import type { ContainerModel, DockerfileModel, DockerfileStage, Project } from '../model/model.js';
import { parseImage, sameImage } from './images.js';

export interface ImageDockerfile {
  dockerfile: DockerfileModel;
  /** The stage the image runs (the last one). */
  stage: DockerfileStage;
}

function normalizeRel(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0 || parts[parts.length - 1] === '..') parts.push('..');
      else parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

const repoKey = (image: string): string | undefined => {
  const r = parseImage(image);
  return r ? `${r.registry}/${r.repository}` : undefined;
};

export type DockerfileLookup = (c: ContainerModel) => ImageDockerfile | undefined;

/** Builds the lookup once per project. */
export function dockerfileLookup(project: Project): DockerfileLookup {
  if (project.dockerfiles.length === 0 || project.imageSources.length === 0) return () => undefined;
  const byFile = new Map(project.dockerfiles.map((d) => [normalizeRel(d.file), d]));
  const find = (from: string, given: string): DockerfileModel | undefined => {
    if (given.startsWith('/')) return undefined; // an absolute path on the build machine
    const joined = normalizeRel(`${dirOf(from)}/${given}`);
    const hit = byFile.get(joined);
    if (hit) return hit;
    // Scripts usually run from the repository root whatever folder they live in.
    const rel = normalizeRel(given);
    const suffix = [...byFile.entries()].filter(([f]) => f === rel || f.endsWith(`/${rel}`));
    return suffix.length === 1 ? suffix[0]?.[1] : undefined;
  };
  const links: { image: string; repo: string | undefined; dockerfile: DockerfileModel }[] = [];
  for (const s of project.imageSources) {
    const d = find(s.from, s.dockerfile);
    if (d && d.stages.length > 0) links.push({ image: s.image, repo: repoKey(s.image), dockerfile: d });
  }
  const cache = new Map<string, ImageDockerfile | undefined>();
  return (c) => {
    const image = c.builds?.value ?? c.image?.value;
    if (image === undefined) return undefined;
    if (cache.has(image)) return cache.get(image);
    const exact = new Set(links.filter((l) => sameImage(l.image, image)).map((l) => l.dockerfile));
    const repo = repoKey(image);
    const byRepo = new Set(links.filter((l) => repo !== undefined && l.repo === repo).map((l) => l.dockerfile));
    const pick = exact.size === 1 ? [...exact][0] : exact.size === 0 && byRepo.size === 1 ? [...byRepo][0] : undefined;
    const out = pick ? { dockerfile: pick, stage: pick.stages[pick.stages.length - 1] as DockerfileStage } : undefined;
    cache.set(image, out);
    return out;
  };
}
