#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the `prepare` script).
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('agentpipe: the build is missing. Run `npm run build` (or `npm ci`, which builds) first.\n');
    process.exit(2);
  }
  throw error;
});
