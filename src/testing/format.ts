// `agentpipe test` reports on stdout: text for people, JUnit XML for CI test reporters, and GitHub
// workflow commands (an error annotation on each failing test file).

import type { TestOutcome } from './runner.js';

export const testFormats = ['text', 'junit', 'github', 'json'] as const;
export type TestFormat = (typeof testFormats)[number];

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function summary(outcomes: TestOutcome[]): string {
  const failed = outcomes.filter((outcome) => outcome.status === 'failed').length;
  const rerecorded = outcomes.filter((outcome) => outcome.rerecorded).length;
  return `${outcomes.length - failed} passed, ${failed} failed${rerecorded ? `, ${rerecorded} re-recorded` : ''} (${outcomes.length} test${outcomes.length === 1 ? '' : 's'})`;
}

function text(outcomes: TestOutcome[]): string {
  const lines: string[] = [];
  for (const outcome of outcomes) {
    const mark = outcome.status === 'passed' ? 'ok  ' : 'FAIL';
    lines.push(`${mark} ${outcome.name} (${outcome.file}, ${outcome.durationMs} ms, ${outcome.calls} model call${outcome.calls === 1 ? '' : 's'}${outcome.rerecorded ? ', re-recorded' : ''})`);
    for (const failure of outcome.failures) lines.push(...failure.split('\n').map((line, index) => `${index === 0 ? '  - ' : '    '}${line}`));
  }
  lines.push(summary(outcomes));
  return `${lines.join('\n')}\n`;
}

const xml = (value: string): string =>
  // Characters XML 1.0 cannot hold at all are dropped; the rest escaped.
  value.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function junit(outcomes: TestOutcome[]): string {
  const failed = outcomes.filter((outcome) => outcome.status === 'failed').length;
  const total = outcomes.reduce((sum, outcome) => sum + outcome.durationMs, 0);
  const cases = outcomes.map((outcome) => {
    const open = `    <testcase classname="agentpipe" name="${xml(outcome.name)}" file="${xml(outcome.file)}" time="${seconds(outcome.durationMs)}"`;
    if (outcome.status === 'passed') return `${open}/>`;
    const message = outcome.failures[0]?.split('\n')[0] ?? 'failed';
    return `${open}>\n      <failure message="${xml(message)}" type="AssertionError">${xml(outcome.failures.join('\n'))}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="agentpipe test" tests="${outcomes.length}" failures="${failed}" errors="0" time="${seconds(total)}">`,
    `  <testsuite name="agentpipe test" tests="${outcomes.length}" failures="${failed}" errors="0" skipped="0" time="${seconds(total)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function github(outcomes: TestOutcome[]): string {
  const escape = (value: string): string => value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const lines = outcomes.filter((outcome) => outcome.status === 'failed').map((outcome) => `::error file=${outcome.file},title=agentpipe test ${outcome.name} failed::${escape(outcome.failures.join('\n'))}`);
  lines.push(`::notice title=agentpipe test::${summary(outcomes)}`);
  return `${lines.join('\n')}\n`;
}

export function formatTests(outcomes: TestOutcome[], format: TestFormat): string {
  switch (format) {
    case 'junit': return junit(outcomes);
    case 'github': return github(outcomes);
    case 'json': return `${JSON.stringify({ tests: outcomes, passed: outcomes.filter((outcome) => outcome.status === 'passed').length, failed: outcomes.filter((outcome) => outcome.status === 'failed').length }, null, 2)}\n`;
    default: return text(outcomes);
  }
}
