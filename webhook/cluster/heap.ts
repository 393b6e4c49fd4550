import v8 from 'node:v8';

/**
 * V8 tuning for a process that holds the informer caches (`persistguard serve` with a cluster).
 *
 * Measured with bench/informers (5,000 nodes, 50,000 claims): while the ~100 list pages are parsed V8
 * grows the old space to about 105 MiB for 52 MiB live (the cache interleaved with the parsed pages'
 * garbage) and keeps it: the idle memory reducer does not run in a process that only waits on sockets.
 * With `--optimize-for-size` in force during a list, full GCs run in memory-reducing mode (they compact
 * and shrink the heap), so the cache ends up in a compact heap: ~14 MiB less RSS once synced.
 *
 * Only while a list is being read: left on, every full GC compacts the whole cache and the heap limit
 * stays tight, and an admission request cost 2.5× the CPU (bench/informers/serve.mjs: 614 → 1,568 µs).
 * Set at run time because V8 refuses the flag in NODE_OPTIONS, and the image's ENTRYPOINT also runs the
 * CLI (`scan`), which should not pay for it.
 *
 * Opt-in (`PERSISTGUARD_V8_TUNING=on`): Node documents that changing V8 flags after start-up may behave
 * unpredictably, a webhook must not risk that by default, and the compacted heap costs 4–14 % more CPU per
 * admission request; without it the shipped NODE_OPTIONS already keep the 5,000-node cache under 200 MiB idle.
 *
 * The other half of the tuning is on the node command line, where V8 sizes its heap: the deployment's
 * NODE_OPTIONS `--max-semi-space-size=4` (deploy/, docs/deploy.md "Memory").
 */
export const HEAP_TUNING_FLAGS = ['--optimize-for-size'] as const;

let enabled = false;
let listing = 0;

/** Turns the tuning on for this process (what `serve` does); returns the flags (none when turned off). */
export function tuneHeapForCaches(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  enabled = env.PERSISTGUARD_V8_TUNING === 'on';
  return enabled ? HEAP_TUNING_FLAGS : [];
}

/** Whether the flags are in force right now (a list is being read with the tuning on). */
export function heapTuningActive(): boolean {
  return enabled && listing > 0;
}

/** Runs a list (every informer's, concurrently) with the flags in force; V8's defaults again after the last. */
export async function whileListing<T>(list: () => Promise<T>): Promise<T> {
  if (!enabled) return list();
  if (listing++ === 0) for (const f of HEAP_TUNING_FLAGS) v8.setFlagsFromString(f);
  try {
    return await list();
  } finally {
    if (--listing === 0) for (const f of HEAP_TUNING_FLAGS) v8.setFlagsFromString(f.replace(/^--/, '--no-'));
  }
}
