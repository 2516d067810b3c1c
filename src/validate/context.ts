// Shared state of one validateProject call: the checked files by name and the diagnostics so far.

import type { Diagnostic, Severity } from '../errors.js';
import type { Position, SourceFile, ValuePath } from '../load/types.js';
import type { AgentFile, LayerFile, ProvidersFile, TemplateFile, TestFile, ToolsFile } from './types.gen.js';
import type { Checked } from './types.js';

export interface ValidationContext {
  diagnostics: Diagnostic[];
  /** The project root, where lint finds cached MCP tool lists. */
  root?: string;
  /** Undefined when providers.yaml is missing or failed its schema: reference checks against it are skipped. */
  providers?: Checked<ProvidersFile>;
  tools?: Checked<ToolsFile>;
  agents: Map<string, Checked<AgentFile>>;
  layers: Map<string, Checked<LayerFile>>;
  templates: Map<string, Checked<TemplateFile>>;
  tests?: Map<string, Checked<TestFile>>;
  /** Every agent and layer that has a file, valid or not: a reference to a broken file is not "unknown". */
  agentFiles: Set<string>;
  layerFiles: Set<string>;
  /** Set while an agent's layers are checked: each diagnostic then remembers which agent found it. */
  checkingFor?: string;
  /** Diagnostic -> the agents whose checks reported it (a shared layer is reported once, naming them). */
  reportedFor?: Map<Diagnostic, string>;
}

export interface ReportOptions {
  severity?: Severity;
  fix?: string;
  /** Point at the mapping key rather than its value. */
  key?: boolean;
  /** An exact position inside the value (a `{{...}}` in a template), when known. */
  position?: Position;
}

export function report(context: ValidationContext, source: SourceFile, path: ValuePath, code: string, message: string, options: ReportOptions = {}): void {
  const { line, col } = options.position ?? source.locate(path, { key: options.key === true });
  const diagnostic: Diagnostic = {
    severity: options.severity ?? 'error',
    code,
    file: source.file,
    line,
    col,
    message,
    ...(options.fix ? { fix: options.fix } : {}),
  };
  context.diagnostics.push(diagnostic);
  if (context.checkingFor !== undefined) (context.reportedFor ??= new Map()).set(diagnostic, context.checkingFor);
}

/**
 * A problem in a layer that several agents use is found once per agent; report it once, naming them.
 * Diagnostics that differ (an input missing from one agent but not another) all stay.
 */
export function mergeSharedReports(context: ValidationContext): void {
  const reportedFor = context.reportedFor;
  if (!reportedFor) return;
  const first = new Map<string, { diagnostic: Diagnostic; agents: string[] }>();
  context.diagnostics = context.diagnostics.filter((diagnostic) => {
    const agent = reportedFor.get(diagnostic);
    if (agent === undefined) return true;
    const key = JSON.stringify([diagnostic.file, diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.message]);
    const seen = first.get(key);
    if (seen) {
      if (!seen.agents.includes(agent)) seen.agents.push(agent);
      return false;
    }
    first.set(key, { diagnostic, agents: [agent] });
    return true;
  });
  for (const { diagnostic, agents } of first.values())
    if (agents.length > 1) diagnostic.message += ` (in a layer used by agents ${agents.join(', ')})`;
}

/** `agents/layers/persona/analyst.yaml` -> `persona/analyst`; `agents/writer.yaml` -> `writer`. */
/**
 * The fix for a `name:` that differs from its file name: `set name: <file name>` only when the file
 * name can be a name (lowercase letters, digits, '-' and '_', starting with a letter); else rename the file.
 */
export function nameMismatchFix(name: string, fileName: string): string {
  if (/^[a-z][a-z0-9_-]*$/.test(fileName)) return `rename the file or set name: ${fileName}`;
  return `rename the file to ${name}.yaml (\`${fileName}\` cannot be a name: lowercase letters, digits, '-' and '_', starting with a letter)`;
}

export function nameOf(source: Pick<SourceFile, 'kind' | 'file'>): string {
  const prefix = source.kind === 'layer' ? 'agents/layers/' : source.kind === 'agent' ? 'agents/' : source.kind === 'test' ? 'tests/' : 'templates/';
  return source.file.slice(prefix.length).replace(/\.yaml$/, '');
}
