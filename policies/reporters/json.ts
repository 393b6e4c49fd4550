// Stub until implemented by its owner.
import type { Reporter } from './types.js';

export const jsonReporter: Reporter = {
  format: 'json',
  fileName: 'persistguard.json',
  render: () => {
    throw new Error('json reporter: not implemented yet');
  },
};
