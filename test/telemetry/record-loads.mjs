// Loaded with `node --import` by the telemetry test: appends every module URL the process resolves
// to $AGENTPIPE_TEST_LOADS, so a test can tell which packages a run really loaded.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.AGENTPIPE_TEST_LOADS;
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    if (file) appendFileSync(file, `${result.url}\n`);
    return result;
  },
});
