// Stub until implemented by its owner.
import type { Command } from '../io.js';

export const certsCommand: Command = async (_args, io) => {
  io.stderr.write('persistguard certs: not implemented yet\n');
  return 2;
};
