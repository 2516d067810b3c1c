// `agentpipe test [paths...]`: runs tests/**/*.yaml offline (cassettes or the built-in simulator) and
// in parallel. Exit 0 when all pass, 1 when one fails, 2 for invalid test files or usage.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface TestFlags {
  format?: string;
  json?: boolean;
  update?: boolean;
  concurrency?: string | number;
}

export async function test(paths: string[], flags: TestFlags): Promise<number> {
  const [{ UsageError }, { formatTests, testFormats }] = await Promise.all([import('../../errors.js'), import('../../testing/format.js')]);
  const format = flags.json ? 'json' : (flags.format ?? 'text');
  if (!(testFormats as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${testFormats.join(', ')}, got "${format}"`);
  const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new UsageError(`--concurrency must be a whole number >= 1, got "${flags.concurrency}"`);
  const [{ loadConfig }, { testCases, runTests }, path, { stat }] = await Promise.all([import('../../compile/project.js'), import('../../testing/runner.js'), import('node:path'), import('node:fs/promises')]);
  const { config, env } = await loadConfig();
  let cases = testCases(config);
  if (paths.length > 0) {
    const wanted: string[] = [];
    for (const given of paths) {
      const absolute = path.resolve(given);
      if (!(await stat(absolute).then(() => true, () => false))) throw new UsageError(`${given}: no such file or folder`);
      wanted.push(path.relative(config.root, absolute).split(path.sep).join('/'));
    }
    cases = cases.filter((testCase) => wanted.some((prefix) => prefix === '' || testCase.file === prefix || testCase.file.startsWith(`${prefix}/`)));
    if (cases.length === 0) throw new UsageError(`no test files (tests/**/*.yaml) under ${paths.join(', ')}`);
  }
  if (cases.length === 0) throw new UsageError('no test files: write tests/<name>.yaml (see `agentpipe schema test`), or run `agentpipe init` for examples');
  const outcomes = await runTests(config, env, cases, { update: flags.update === true, ...(concurrency ? { concurrency } : {}) });
  process.stdout.write(formatTests(outcomes, format as (typeof testFormats)[number]));
  return outcomes.some((outcome) => outcome.status === 'failed') ? 1 : 0;
}

export const testCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('test [...paths]', 'Run tests/**/*.yaml offline: cassettes or the simulator answer the model calls, then check expectations')
      .option('--format <format>', 'text, junit (XML for CI reporters), github or json')
      .option('--json', 'Same as --format json')
      .option('--update', 'Re-record the cassettes of failing or missing tests (needs the providers\' API keys)')
      .option('--concurrency <n>', 'Tests run at once (default: 2 x CPUs)')
      .action(async (paths: string[], flags: TestFlags) => {
        const code = await test(paths, flags);
        // SDK keep-alive sockets must not hold the process open once the tests are over.
        setTimeout(() => process.exit(code), 1500).unref();
        return code;
      });
  },
};
