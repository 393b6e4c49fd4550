/**
 * The two facts persistguard needs from a Dockerfile a compose service builds: the image the final stage
 * starts FROM (following stage names, `FROM base AS app` … `FROM app`), and the VOLUME directories the
 * stages declare. A derived image keeps its base's data layout, so `FROM postgres:16` is judged as postgres.
 * Read with the one Dockerfile reader (load/dockerfile/parse.ts).
 */
import { parseDockerfile } from '../dockerfile/parse.js';

export interface BuildBase {
  /** The final stage's base image, with ARG defaults substituted. */
  from?: string;
  /** VOLUME directories of the final stage's chain. */
  volumes: string[];
}

export function buildBase(text: string): BuildBase {
  const resolved = new Map<string, BuildBase>();
  let last: BuildBase | undefined;
  for (const stage of parseDockerfile('Dockerfile', text).stages) {
    const parent = resolved.get(stage.base.toLowerCase());
    const own = stage.volumes.map((v) => v.value);
    last = parent
      ? {
          ...(parent.from !== undefined ? { from: parent.from } : {}),
          volumes: [...new Set([...parent.volumes, ...own])],
        }
      : { from: stage.base, volumes: own };
    if (stage.name) resolved.set(stage.name.toLowerCase(), last);
  }
  return last ?? { volumes: [] };
}
