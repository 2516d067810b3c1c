// Running the CLI under a pseudo-terminal (util-linux `script`, so Linux only) and reading what a
// person would see: the bytes written are replayed onto a virtual screen.

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pause, repoRoot } from './helpers.js';

export const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
const cliLine = (args: string) => `${quote(process.execPath)} ${quote(join(repoRoot, 'bin/agentpipe.js'))} ${args}`;

/**
 * Runs `agentpipe <args>` under a 100x40 pseudo-terminal (stdout and stderr both on it, unless
 * `redirect` says otherwise, e.g. ` > file`). The shell execs the CLI, so the pid it writes to a
 * file in `cwd` is the CLI's: a test can signal it as Ctrl-C would.
 */
export function underTerminal(args: string, options: { cwd: string; env: NodeJS.ProcessEnv; redirect?: string }) {
  const pidFile = join(options.cwd, 'cli.pid');
  const line = `stty cols 100 rows 40; echo $$ > ${quote(pidFile)}; exec ${cliLine(args)}${options.redirect ?? ''}`;
  const child = spawn('script', ['-qec', line, '/dev/null'], { cwd: options.cwd, env: { ...options.env, TERM: 'xterm-256color' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
  const cliPid = async () => {
    for (;;) {
      const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (pid > 0) return pid;
      await pause(10);
    }
  };
  return { child, done, cliPid };
}

/** listr2 hides the cursor while it draws; whatever happens, the terminal must get it back. */
export const cursorShown = (output: string) => output.lastIndexOf('\x1b[?25h') > output.lastIndexOf('\x1b[?25l');

/**
 * Replays terminal output onto a screen of lines: text, CR, LF and the cursor and erase sequences
 * listr2's renderer uses (CSI A/B/C/D/G/K/J). Every other escape (colours, cursor visibility,
 * synchronised output) is stripped.
 */
export function replayScreen(output: string): string[] {
  const screen: string[] = [''];
  let row = 0;
  let column = 0;
  const put = (text: string) => {
    const line = (screen[row] ?? '').padEnd(column);
    screen[row] = line.slice(0, column) + text + line.slice(column + text.length);
    column += text.length;
  };
  const pattern = /\x1b\[([0-9;?]*)([ -/]*[@-~])|\x1b\][^\x07]*\x07|\x1b[@-_]|\r|\n|[^\x1b\r\n]+/g;
  for (const match of output.matchAll(pattern)) {
    const [token, parameters = '', final] = match;
    const count = Math.max(1, Number.parseInt(parameters, 10) || 1);
    if (token === '\r') column = 0;
    else if (token === '\n') {
      row++;
      column = 0;
      while (screen.length <= row) screen.push('');
    } else if (final === undefined) {
      if (!token.startsWith('\x1b')) put(token);
    } else if (parameters.startsWith('?')) continue;
    else if (final === 'A') row = Math.max(0, row - count);
    else if (final === 'B') row = Math.min(screen.length - 1, row + count);
    else if (final === 'C') column += count;
    else if (final === 'D') column = Math.max(0, column - count);
    else if (final === 'G') column = count - 1;
    else if (final === 'K') screen[row] = parameters === '2' ? '' : parameters === '1' ? ' '.repeat(column) + (screen[row] ?? '').slice(column) : (screen[row] ?? '').slice(0, column);
    else if (final === 'J') {
      screen.length = row + 1;
      screen[row] = (screen[row] ?? '').slice(0, column);
    }
  }
  return screen.map((line) => line.trimEnd()).filter((line) => line !== '');
}

