import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.preset';

// cli.ts is the executable's entry (loaded by bin/tijara.js); index.ts is the programmatic API.
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/cli.ts'] }));
