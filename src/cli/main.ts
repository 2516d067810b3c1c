// The CLI edge: flags -> the library's options objects, results -> text/JSON, errors -> exit codes.
// Each verb lives in ./commands/<verb>.ts; its action does `await import()` of the real work, so
// `--help` loads no SDK, tokenizer or ajv. This is the only module that calls process.exit.

import { cac } from 'cac';
import { readFileSync } from 'node:fs';
import { commands } from './commands/index.js';
import { UsageError } from '../errors.js';
import { handleFatal } from './fatal.js';
import { registerSecretsFromEnv } from '../secrets.js';
import { guardProcessOutput } from '../secrets/output-guard.js';

// Before anything can print: stdout and stderr redact every known secret value.
registerSecretsFromEnv(process.env);
guardProcessOutput();

const cli = cac('agentpipe');
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

for (const command of commands) command.register(cli);
cli.help();
cli.version(version);

async function main(): Promise<void> {
  try {
    cli.parse(process.argv, { run: false });
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) {
        const hint = await suggestion(String(cli.args[0]), cli.commands.map((command) => command.name));
        process.stderr.write(`agentpipe: unknown command \`${cli.args[0]}\`${hint || '.'} Run \`agentpipe --help\` for the list.\n`);
        process.exit(2);
      }
      if (!cli.options['help'] && !cli.options['version']) cli.outputHelp();
      return;
    }
    const code: unknown = await cli.runMatchedCommand();
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    process.exit(handleFatal(await withOptionHint(error)));
  }
}

async function suggestion(word: string, candidates: string[]): Promise<string> {
  const { didYouMean } = await import('../validate/suggest.js');
  return didYouMean(word, candidates);
}

/** cac's "Unknown option `--inptu`" gains the verb, a did-you-mean and the verb's own help. */
async function withOptionHint(error: unknown): Promise<unknown> {
  const unknown = error instanceof Error && error.name === 'CACError' ? /^Unknown option `(.+)`$/.exec(error.message) : null;
  const command = cli.matchedCommand;
  if (!unknown || !command) return error;
  const option = unknown[1]!;
  if (/^-\d/.test(option)) return new UsageError(`\`${option}\` looks like a negative number; \`agentpipe ${command.name}\` takes none here. Run \`agentpipe ${command.name} --help\`.`);
  const names = command.options.flatMap((entry) => entry.rawName.split(/[ ,]+/).filter((part) => part.startsWith('--')));
  const hint = await suggestion(option, names);
  return new UsageError(`unknown option \`${option}\` for \`agentpipe ${command.name}\`${hint || '.'} Run \`agentpipe ${command.name} --help\`.`);
}

void main();
