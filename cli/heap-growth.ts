import v8 from 'node:v8';

/**
 * How far V8 lets the old generation grow past what its last full GC found alive, for `persistguard scan`.
 *
 * A scan's live heap grows steadily (the model, then the findings), and V8's default factor for a fast-growing
 * heap lets the old space reach 2–4× the live size found at the last full GC before it collects again: at
 * 40,000 documents with a finding each, a full GC at 138 MB live comes only when the old space is ~214 MB.
 * 1.3× keeps the peak near the live size for a few more full GCs (bench/scan, 40k all-findings: peak RSS
 * 335 → 277 MB, wall time +3%). The flag is read at every heap-limit computation, so setting it at run time
 * takes effect; it only changes when GCs run, never what the program computes.
 */
export const SCAN_HEAP_FLAGS = ['--heap-growing-percent=30'] as const;

let applied = false;

/** Applies {@link SCAN_HEAP_FLAGS} once per process. */
export function tuneHeapForScan(): void {
  if (applied) return;
  applied = true;
  for (const f of SCAN_HEAP_FLAGS) v8.setFlagsFromString(f);
}
