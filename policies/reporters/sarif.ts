// Stub until implemented by its owner.
import type { Reporter } from './types.js';

export const sarifReporter: Reporter = {
  format: 'sarif',
  fileName: 'persistguard.sarif',
  render: () => {
    throw new Error('sarif reporter: not implemented yet');
  },
};
