import { describe, expect, test } from '@jest/globals';
import {
  HEAP_TUNING_FLAGS,
  heapTuningActive,
  tuneHeapForCaches,
  whileListing,
} from '../../../webhook/cluster/index.js';

describe('V8 tuning for the cache-holding process', () => {
  test('off unless PERSISTGUARD_V8_TUNING=on: lists run with V8 defaults', async () => {
    for (const env of [{}, { PERSISTGUARD_V8_TUNING: 'off' }, { PERSISTGUARD_V8_TUNING: 'yes' }]) {
      expect(tuneHeapForCaches(env)).toEqual([]);
      expect(await whileListing(async () => heapTuningActive())).toBe(false);
    }
  });

  test('on: the flags are in force only while some list is being read, however lists overlap', async () => {
    expect(tuneHeapForCaches({ PERSISTGUARD_V8_TUNING: 'on' })).toEqual(HEAP_TUNING_FLAGS);
    expect(HEAP_TUNING_FLAGS).toContain('--optimize-for-size');
    expect(heapTuningActive()).toBe(false);
    let endA!: () => void;
    const a = whileListing(() => new Promise<void>((r) => (endA = r)));
    const b = whileListing(async () => heapTuningActive());
    expect(await b).toBe(true);
    expect(heapTuningActive()).toBe(true); // a is still listing
    endA();
    await a;
    expect(heapTuningActive()).toBe(false);
    // A failed list ends the tuning too.
    await expect(whileListing(() => Promise.reject(new Error('410')))).rejects.toThrow('410');
    expect(heapTuningActive()).toBe(false);
  });
});
