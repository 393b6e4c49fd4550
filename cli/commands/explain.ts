// Stub until implemented by its owner.
import type { Command } from '../io.js';

export const explainCommand: Command = async (_args, io) => {
  io.stderr.write('persistguard explain: not implemented yet\n');
  return 2;
};
