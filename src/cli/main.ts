// The CLI edge: flags -> the library's options objects, results -> text/JSON, errors -> exit codes.
// Each verb lives in ./commands/<verb>.ts; its action does `await import()` of the real work, so
// `--help` loads no SDK, tokenizer or ajv. This is the only module that calls process.exit.

import { cac } from 'cac';
import { readFileSync } from 'node:fs';
import { commands } from './commands/index.js';
import { UsageError } from '../errors.js';
import { handleFatal } from './fatal.js';
import { verbHelp, verbSections } from './verb-help.js';
import { registerSecretsFromEnv } from '../secrets.js';
import { guardProcessOutput } from '../secrets/output-guard.js';

// Before anything can print: stdout and stderr redact every known secret value.
registerSecretsFromEnv(process.env);
guardProcessOutput();

const cli = cac('agentpipe');
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

for (const command of commands) command.register(cli);
// cac gives every --no-x option a default of true and prints "(default: true)" after it, which reads
// as if the thing were off by default. Without it the flag is undefined unless given; commands treat
// only `false` as "no x".
for (const command of cli.commands) for (const option of command.options) if (option.negated) delete option.config.default;
/** The verb whose help is shown (`agentpipe run --help`, `agentpipe help run`); undefined for the global help. */
let helpVerb: string | undefined;
cli.help((sections) => {
  const command = cli.commands.find((entry) => entry.name === helpVerb);
  if (!command) return sections;
  const { first, last } = verbSections(command.description, verbHelp[command.name]);
  // cac puts the version banner first: the description goes right after it.
  return [sections[0] ?? { body: '' }, first, ...sections.slice(1).filter((section) => section.title !== 'Examples'), ...last];
});
cli.version(version);

/** cac camelCases option names (`--dry-run` -> dryRun); messages show them as the user typed them. */
function asTyped(option: string): string {
  const camel = (name: string) => `--${name.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())}`;
  const typed = process.argv.slice(2).find((argument) => argument.startsWith('--') && camel(argument.split('=')[0]!) === option);
  return typed?.split('=')[0] ?? option;
}

async function main(): Promise<void> {
  try {
    // `agentpipe help <verb>` is `agentpipe <verb> --help`; `agentpipe help` is `agentpipe --help`.
    const argv = process.argv.slice(2);
    if (argv[0] === 'help') {
      const verb = argv[1];
      if (verb !== undefined && !cli.commands.some((command) => command.name === verb)) {
        const hint = await suggestion(verb, cli.commands.map((command) => command.name));
        throw new UsageError(`unknown command \`${verb}\`${hint || '.'} Run \`agentpipe --help\` for the list.`);
      }
      helpVerb = verb;
      cli.parse([...process.argv.slice(0, 2), ...(verb ? [verb] : []), '--help'], { run: false });
      return;
    }
    helpVerb = argv.find((argument) => !argument.startsWith('-'));
    cli.parse(process.argv, { run: false });
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) {
        const hint = await suggestion(String(cli.args[0]), cli.commands.map((command) => command.name));
        throw new UsageError(`unknown command \`${cli.args[0]}\`${hint || '.'} Run \`agentpipe --help\` for the list.`);
      }
      if (!cli.options['help'] && !cli.options['version']) {
        // `agentpipe --bogus`: cac keeps unknown global options in cli.options; refuse them like a verb's.
        const unknown = process.argv.slice(2).find((argument) => argument.startsWith('-') && argument !== '--');
        if (unknown !== undefined) throw new UsageError(`unknown option \`${unknown.split('=')[0]}\`: agentpipe takes a command first. Run \`agentpipe --help\` for the list.`);
        cli.outputHelp();
      }
      return;
    }
    checkRepeatedOptions(cli.options);
    const code: unknown = await cli.runMatchedCommand();
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    process.exit(handleFatal(await withOptionHint(error)));
  }
}

/**
 * cac turns a flag given twice into an array, which a verb would read as `"a,b"` (or crash on). A
 * single-value flag given twice with different values is a usage error (the same value twice is
 * harmless and kept once); `--input` may repeat, but not with the same name.
 */
function checkRepeatedOptions(options: Record<string, unknown>): void {
  const times = (count: number) => (count === 2 ? 'twice' : `${count} times`);
  for (const [key, value] of Object.entries(options)) {
    if (key === '--' || !Array.isArray(value)) continue;
    const flag = asTyped(`--${key}`);
    if (key === 'input') {
      const byName = new Map<string, string[]>();
      for (const item of value.map(String)) {
        const name = item.slice(0, Math.max(0, item.indexOf('=')));
        if (name !== '') byName.set(name, [...(byName.get(name) ?? []), item]);
      }
      for (const [name, given] of byName) {
        if (given.length > 1) throw new UsageError(`--input ${name} is given ${times(given.length)} (${given.join(' and ')}); give each input once`);
      }
      continue;
    }
    const distinct = [...new Set(value.map(String))];
    if (distinct.length === 1) options[key] = value[0];
    else throw new UsageError(`${flag} is given ${times(value.length)} (${value.map(String).join(' and ')}); give it once`);
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
  const option = asTyped(unknown[1]!);
  if (/^-\d/.test(option)) return new UsageError(`\`${option}\` looks like a negative number; \`agentpipe ${command.name}\` takes none here. Run \`agentpipe ${command.name} --help\`.`);
  const names = command.options.flatMap((entry) => entry.rawName.split(/[ ,]+/).filter((part) => part.startsWith('--')));
  const hint = await suggestion(option, names);
  return new UsageError(`unknown option \`${option}\` for \`agentpipe ${command.name}\`${hint || '.'} Run \`agentpipe ${command.name} --help\`.`);
}

void main();
