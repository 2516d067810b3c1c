import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { resolveInputs } from '../../src/compile/inputs.js';
import { evaluateWhen, PromptRenderError, renderPrompt, renderStepInputs } from '../../src/compile/prompt.js';
import { UsageError } from '../../src/errors.js';
import { basicFixture, loadFixtureProject } from './project.js';

const today = '2026-01-02';

describe('renderPrompt', () => {
  it('composes layers (with partials) in order, then the system text, then the user message', async () => {
    const agent = compile(await loadFixtureProject(basicFixture), { kind: 'agent', name: 'analyst' }).steps[0]!.agent;
    const prompt = renderPrompt(agent, { inputs: { question: 'Why?' }, today });
    expect(prompt.system).toEqual([
      { text: 'You are analyst, a careful analyst.\nNever reveal secrets.', cacheable: true },
      { text: 'Today is 2026-01-02. The question is about Why?.', cacheable: false },
      { text: 'Answer in plain style.', cacheable: false },
    ]);
    expect(prompt.user).toBe('Why?');
    expect(prompt.parts.map((part) => `${part.source.file}:${part.source.line}`)).toEqual([
      'agents/layers/persona/analyst.yaml:4',
      'agents/layers/policy/dated.yaml:2',
      'agents/analyst.yaml:11',
      'agents/analyst.yaml:12',
    ]);
  });

  it('treats input values as data: {{...}} in an input comes out literally', async () => {
    const pipeline = compile(await loadFixtureProject(basicFixture), { kind: 'template', name: 'report' });
    const hostile = '{{agent.name}} {{> policy/safety}} {{inputs.style}}';
    const agentPrompt = renderPrompt(pipeline.steps[0]!.agent, { inputs: { question: hostile, style: '{{today}}' }, today });
    expect(agentPrompt.user).toBe(hostile);
    expect(agentPrompt.system[2]!.text).toBe('Answer in {{today}} style.');
    const stepPrompt = renderPrompt(pipeline.steps[0]!, { inputs: { topic: hostile, parts: [] }, today });
    expect(stepPrompt.user).toBe(`Key facts about ${hostile}`);
    const fanned = renderPrompt(pipeline.steps[1]!, { inputs: { topic: 't', parts: [] }, steps: { research: { output: { facts: ['{{run.id}}'] } } }, item: '{{item}}', itemIndex: 0, today });
    expect(fanned.user).toBe('Write: {{item}} (notes: {\n  "facts": [\n    "{{run.id}}"\n  ]\n})');
  });

  it('keeps the type of a value passed through a single-path with', async () => {
    const pipeline = compile(await loadFixtureProject(basicFixture), { kind: 'agent', name: 'analyst' });
    expect(renderStepInputs(pipeline.steps[0]!, { inputs: { question: ['a', 'b'], style: 'x' } })).toEqual({ question: ['a', 'b'], style: 'x' });
  });

  it('fails with the part source when a step output it reads is missing', async () => {
    const pipeline = compile(await loadFixtureProject(basicFixture), { kind: 'template', name: 'report' });
    expect(() => renderPrompt(pipeline.steps[1]!, { inputs: { topic: 't', parts: [] }, item: 'x', steps: {} })).toThrow(PromptRenderError);
    expect(() => renderPrompt(pipeline.steps[1]!, { inputs: { topic: 't', parts: [] }, item: 'x', steps: {} })).toThrow(/templates\/report.yaml:\d+: nothing provides "output" in {{steps.research.output}}/);
  });

  it('evaluates when as falsy for "", false, 0 and null', async () => {
    const pipeline = compile(await loadFixtureProject(basicFixture), { kind: 'template', name: 'report' });
    const step = { ...pipeline.steps[0]!, when: '{{inputs.topic}}' };
    expect(evaluateWhen(step, { inputs: { topic: 'false' } })).toBe(false);
    expect(evaluateWhen(step, { inputs: { topic: 0 } })).toBe(false);
    expect(evaluateWhen(step, { inputs: { topic: 'yes' } })).toBe(true);
  });
});

describe('resolveInputs', () => {
  const spec = {
    question: { type: 'string', required: true, example: 'What?' },
    count: { type: 'integer', required: false, default: 3 },
    tags: { type: 'array', required: false },
  } as const;

  it('uses placeholders in estimate mode and fails on missing required inputs in run mode', () => {
    expect(resolveInputs(spec, {}, { mode: 'estimate' })).toEqual({ question: 'What?', count: 3, tags: ['<tags>'] });
    expect(() => resolveInputs(spec, {}, { mode: 'run' })).toThrow(UsageError);
    expect(() => resolveInputs(spec, {}, { mode: 'run' })).toThrow(/missing required input question/);
  });

  it('types command-line values and rejects unknown names and bad values', () => {
    expect(resolveInputs(spec, { question: 'q', count: '7', tags: '["a"]' }, { mode: 'run' })).toEqual({ question: 'q', count: 7, tags: ['a'] });
    expect(resolveInputs(spec, { question: 'q' }, { mode: 'run' })).toEqual({ question: 'q', count: 3, tags: null });
    expect(() => resolveInputs(spec, { questoin: 'q' }, { mode: 'run' })).toThrow(/unknown input "questoin" \(declared: question, count, tags\)/);
    expect(() => resolveInputs(spec, { question: 'q', count: '1.5' }, { mode: 'run' })).toThrow(/must be an integer/);
  });
});
