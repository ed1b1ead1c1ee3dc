// Placeholder until the S/MIME work lands: refuses clearly instead of pretending.
import { VmiListError } from '../../errors.js';
import type { Command } from '../context.js';

export const command: Command = {
  name: 'sign',
  summary: '(not yet available)',
  help: 'vmilist sign: not yet available in this build',
  async run() {
    throw new VmiListError('ERR_INPUT', 'vmilist sign is not available in this build yet');
  },
};
