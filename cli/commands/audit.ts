// Stub until implemented by its owner.
import type { Command } from '../io.js';

export const auditCommand: Command = async (_args, io) => {
  io.stderr.write('persistguard audit: not implemented yet\n');
  return 2;
};
