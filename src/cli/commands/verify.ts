// Placeholder until the S/MIME work lands: refuses clearly instead of pretending.
import { VmiListError } from '../../errors.js';
import type { Command } from '../context.js';

export const command: Command = {
  name: 'verify',
  summary: '(not yet available)',
  help: 'vmilist verify: not yet available in this build',
  async run() {
    throw new VmiListError('ERR_INPUT', 'vmilist verify is not available in this build yet');
  },
};
