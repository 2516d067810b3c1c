// When a cassette no longer answers a run, say what changed: a unified diff of the prompt the
// cassette recorded against the prompt rendered now, per step, plus the exact re-record command.

import { createTwoFilesPatch } from 'diff';
import type { CompiledPipeline } from '../compile/ir.js';
import type { TestCase } from './runner.js';

const quote = (value: string): string => (/^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/** `agentpipe test <file> --update`, and the equivalent `run --record` with the test's inputs. */
export function rerecordCommand(testCase: TestCase, inputs: Record<string, unknown>): string {
  const flags = Object.entries(testCase.test.inputs ?? {}).map(([name]) => {
    const value = inputs[name];
    return `--input ${quote(`${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)}`;
  });
  return `agentpipe test ${quote(testCase.file)} --update (or: agentpipe run ${quote(testCase.test.target)} ${[...flags, `--record ${quote(testCase.test.cassette ?? '')}`].join(' ')})`;
}

const textOf = (content: unknown): string => (typeof content === 'string' ? content : Array.isArray(content) ? content.map((part) => (part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : '')).join('') : '');

/** The prompt as text: system parts, then the first user message. */
const promptText = (system: ReadonlyArray<{ text: string }>, user: string): string => `${system.map((part) => `## system\n${part.text}\n`).join('')}## user\n${user}\n`;

export async function cassetteDrift(pipeline: CompiledPipeline, inputs: Record<string, unknown>, cassettePath: string): Promise<string | undefined> {
  const [{ readCassette }, { renderPrompt }] = await Promise.all([import('../run/cassette-file.js'), import('../compile/prompt.js')]);
  const cassette = await readCassette(cassettePath).catch(() => undefined);
  if (!cassette) return undefined;
  const recorded = cassette.calls.flatMap((call) => (call.kind === 'embed' ? [] : [call])).map((call) => {
    const firstUser = call.request.messages.find((message) => message.role === 'user') as { content?: unknown } | undefined;
    return promptText(call.request.system, textOf(firstUser?.content));
  });
  const diffs: string[] = [];
  for (const step of pipeline.steps) {
    let now: string;
    try {
      // Steps that read other steps' outputs cannot be rendered before the run; the first level can.
      const prompt = renderPrompt(step, { inputs, steps: {}, run: { id: '<run.id>' }, today: '<today>' });
      now = promptText(prompt.system, prompt.user);
    } catch {
      continue;
    }
    if (recorded.includes(now)) continue;
    // The recorded prompt closest to this one: most lines in common.
    const lines = new Set(now.split('\n'));
    const score = (text: string): number => text.split('\n').filter((line) => lines.has(line)).length;
    const closest = recorded.reduce<string | undefined>((best, text) => (best === undefined || score(text) > score(best) ? text : best), undefined);
    if (closest === undefined) continue;
    diffs.push(createTwoFilesPatch(`${step.id} (recorded)`, `${step.id} (now)`, closest, now, undefined, undefined, { context: 2 }).split('\n').slice(1).join('\n').trimEnd());
  }
  return diffs.length ? `what changed since the recording:\n${diffs.join('\n')}` : undefined;
}
