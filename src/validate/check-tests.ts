// tests/**/*.yaml (`agentpipe test`): the target is an agent or template of this project and the
// inputs are ones it declares. The cassette is not checked here: a missing one is what
// `agentpipe test --update` records.

import { nameOf, report, type ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';
import type { TestFile } from './types.gen.js';
import type { Checked } from './types.js';

/** `agents/x.yaml`, `templates/y.yaml` or a bare name -> the kind and name it names, if any. */
export function testTargetName(target: string): { kind?: 'agent' | 'template'; name: string } {
  const normal = target.replace(/^\.\//, '');
  const file = /^(agents|templates)\/([^/]+)\.yaml$/.exec(normal);
  if (file) return { kind: file[1] === 'agents' ? 'agent' : 'template', name: file[2]! };
  return { name: normal };
}

export function checkTest(context: ValidationContext, checked: Checked<TestFile>): void {
  const { value: test, source } = checked;
  void nameOf;
  if ((test.cassette === undefined) === (test.sim === undefined)) {
    report(context, source, [], 'test/answers', test.cassette === undefined ? 'a test needs `cassette` (recorded answers) or `sim` (a simulator script)' : 'a test takes `cassette` or `sim`, not both', { fix: 'keep one of them' });
  }
  const { kind, name } = testTargetName(test.target);
  const agent = kind !== 'template' ? context.agents.get(name) : undefined;
  const template = kind !== 'agent' ? context.templates.get(name) : undefined;
  const exists = agent !== undefined || template !== undefined || (kind !== 'template' && context.agentFiles.has(name));
  if (!exists) {
    const known = new Set([...context.agentFiles, ...context.templates.keys()]);
    report(context, source, ['target'], 'ref/target', `test target \`${test.target}\` is not an agent or template of this project${didYouMean(name, known)}`, { fix: 'name a file under agents/ or templates/, or its name' });
    return;
  }
  const declared = Object.keys((agent ?? template)?.value.inputs ?? {});
  if (!agent && !template) return;
  for (const input of Object.keys(test.inputs ?? {})) {
    if (!declared.includes(input)) report(context, source, ['inputs', input], 'ref/input', `input \`${input}\` is not declared by ${test.target}${didYouMean(input, new Set(declared))}`, { key: true, fix: `declared: ${declared.join(', ') || 'none'}` });
  }
}
