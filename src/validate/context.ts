// Shared state of one validateProject call: the checked files by name and the diagnostics so far.

import type { Diagnostic, Severity } from '../errors.js';
import type { Position, SourceFile, ValuePath } from '../load/types.js';
import type { AgentFile, LayerFile, ProvidersFile, TemplateFile, ToolsFile } from './types.gen.js';
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
  /** Every agent and layer that has a file, valid or not: a reference to a broken file is not "unknown". */
  agentFiles: Set<string>;
  layerFiles: Set<string>;
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
  context.diagnostics.push({
    severity: options.severity ?? 'error',
    code,
    file: source.file,
    line,
    col,
    message,
    ...(options.fix ? { fix: options.fix } : {}),
  });
}

/** `agents/layers/persona/analyst.yaml` -> `persona/analyst`; `agents/writer.yaml` -> `writer`. */
export function nameOf(source: Pick<SourceFile, 'kind' | 'file'>): string {
  const prefix = source.kind === 'layer' ? 'agents/layers/' : source.kind === 'agent' ? 'agents/' : 'templates/';
  return source.file.slice(prefix.length).replace(/\.yaml$/, '');
}
