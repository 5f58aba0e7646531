import { defineConfig } from 'tsup';
import { programBuild } from '../../tsup.shared';

export default defineConfig(programBuild);
