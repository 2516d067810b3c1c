// The CLI edge: flags -> the library's options objects, results -> text/JSON, errors -> exit codes.
// Each verb lives in ./commands/<verb>.ts; its action does `await import()` of the real work, so
// `--help` loads no SDK, tokenizer or ajv. This is the only module that calls process.exit.

import { cac } from 'cac';
import { readFileSync } from 'node:fs';
import { commands } from './commands/index.js';
import { handleFatal } from './fatal.js';

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
        process.stderr.write(`agentpipe: unknown command \`${cli.args[0]}\`. Run \`agentpipe --help\` for the list.\n`);
        process.exit(2);
      }
      if (!cli.options['help'] && !cli.options['version']) cli.outputHelp();
      return;
    }
    const code: unknown = await cli.runMatchedCommand();
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    process.exit(handleFatal(error));
  }
}

void main();
