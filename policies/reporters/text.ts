// Stub until implemented by its owner.
import type { Reporter } from './types.js';

export const textReporter: Reporter = {
  format: 'text',
  fileName: 'persistguard.txt',
  render: () => {
    throw new Error('text reporter: not implemented yet');
  },
};
