// Stub until implemented by its owner.
import type { Command } from '../io.js';

export const rulesCommand: Command = async (_args, io) => {
  io.stderr.write('persistguard rules: not implemented yet\n');
  return 2;
};
