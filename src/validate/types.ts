// Output of the validate stage: typed, schema-checked, cross-referenced config.

import type { Diagnostic } from '../errors.js';
import type { SourceFile } from '../load/types.js';
import type { AgentFile, LayerFile, ProvidersFile, TemplateFile, TestFile, ToolsFile } from './types.gen.js';

/** A checked value together with the file it came from (for positions in later errors). */
export interface Checked<T> {
  value: T;
  source: SourceFile;
}

export interface ProjectConfig {
  root: string;
  providers: Checked<ProvidersFile>;
  tools: Checked<ToolsFile>;
  /** By agent name. */
  agents: ReadonlyMap<string, Checked<AgentFile>>;
  /** By layer path under agents/layers/, without `.yaml` (e.g. `persona/analyst`). */
  layers: ReadonlyMap<string, Checked<LayerFile>>;
  /** By template name. */
  templates: ReadonlyMap<string, Checked<TemplateFile>>;
  /** `agentpipe test` files by path under tests/ without `.yaml` (absent when there are none). */
  tests?: ReadonlyMap<string, Checked<TestFile>>;
  /** Warnings (errors make validate throw ConfigError instead). */
  diagnostics: Diagnostic[];
}
