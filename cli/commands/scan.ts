// Stub until implemented by its owner.
import type { Command } from '../io.js';

export const scanCommand: Command = async (_args, io) => {
  io.stderr.write('persistguard scan: not implemented yet\n');
  return 2;
};
