import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.preset';

// `shims`: the fake Shopify finds the vendored schema from import.meta.url, in the CommonJS build too.
export default defineConfig(packageBuild({ shims: true }));
