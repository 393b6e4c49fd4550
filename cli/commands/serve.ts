// Stub until implemented by its owner.
import type { Command } from '../io.js';

export const serveCommand: Command = async (_args, io) => {
  io.stderr.write('persistguard serve: not implemented yet\n');
  return 2;
};
