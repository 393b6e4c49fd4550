// Stub until implemented by its owner.
import type { Reporter } from './types.js';

export const junitReporter: Reporter = {
  format: 'junit',
  fileName: 'persistguard.junit.xml',
  render: () => {
    throw new Error('junit reporter: not implemented yet');
  },
};
