// The validate stage: schema first, then cross-references, templates, permissions, secrets and env
// vars, all without calling a model. Fails closed: any error means no ProjectConfig.

import { checkMcpServers } from './check-mcp.js';
import { ConfigError, type Diagnostic } from '../errors.js';
import type { Env } from '../load/dotenv.js';
import type { RawProject, SourceFile } from '../load/types.js';
import { checkAgent } from './check-agents.js';
import { checkProviders } from './check-providers.js';
import { checkTemplate } from './check-templates.js';
import { checkExamples } from './check-examples.js';
import { checkTools } from './check-tools.js';
import { checkToolVendors } from './check-tool-vendors.js';
import { checkLayerCycles } from './check-layer-cycles.js';
import { missingEnvDiagnostics } from './env.js';
import { mergeSharedReports, nameOf, type ValidationContext } from './context.js';
import { checkSchemaComment, checkSecrets } from './file-checks.js';
import { schemaDiagnostics } from './schema-errors.js';
import { schemaErrors } from './schema-validators.js';
import { redactDiagnostic } from '../secrets.js';
import type { AgentFile, LayerFile, ProvidersFile, TemplateFile, TestFile, ToolsFile } from './types.gen.js';
import { checkTest } from './check-tests.js';
import type { Checked, ProjectConfig } from './types.js';
import { unsupportedVersion } from './version.js';

export type { ProjectConfig, Checked } from './types.js';
export { formatPath } from './schema-errors.js';

export interface ValidateOptions {
  /** Only used for diagnostics about env vars; interpolation happened at load time. */
  env?: Env;
  /**
   * lint: unset env vars are warnings. run: every one is an error (a run of one target uses
   * compile/project.ts requireTargetEnv instead, which errs only on what the target uses). Default lint.
   */
  mode?: 'lint' | 'run';
}

export interface ValidationResult {
  /** Present only when there are no errors. */
  config?: ProjectConfig;
  /** Load and validate diagnostics, errors and warnings, in file order. */
  diagnostics: Diagnostic[];
}

export async function validateProject(raw: RawProject, options: ValidateOptions = {}): Promise<ValidationResult> {
  const context: ValidationContext = { root: raw.root, diagnostics: [...raw.diagnostics], agents: new Map(), layers: new Map(), templates: new Map(), agentFiles: new Set(), layerFiles: new Set() };
  // A file that failed to load still exists: its own error is enough, a reference to it is not unknown.
  for (const file of raw.unloaded ?? []) {
    if (file.kind === 'agent') context.agentFiles.add(nameOf(file));
    if (file.kind === 'layer') context.layerFiles.add(nameOf(file));
  }
  for (const source of raw.files) {
    if (source.kind === 'agent') context.agentFiles.add(nameOf(source));
    if (source.kind === 'layer') context.layerFiles.add(nameOf(source));
    context.diagnostics.push(...checkSecrets(source), ...checkSchemaComment(source, raw.root));
    if (source.value === undefined) continue;
    const versionError = unsupportedVersion(source);
    if (versionError) {
      context.diagnostics.push(versionError);
      continue;
    }
    const errors = schemaErrors(source.kind, source.value);
    if (errors.length > 0) {
      context.diagnostics.push(...schemaDiagnostics(source, errors));
      continue;
    }
    register(context, source);
  }
  checkProviders(context);
  checkTools(context);
  await checkToolVendors(context);
  checkLayerCycles(context);
  checkMcpServers(context);
  for (const agent of context.agents.values()) checkAgent(context, agent);
  mergeSharedReports(context);
  for (const template of context.templates.values()) checkTemplate(context, template);
  for (const test of context.tests?.values() ?? []) checkTest(context, test);
  for (const file of [...context.agents.values(), ...context.templates.values()]) checkExamples(context, file);
  const mode = options.mode ?? 'lint';
  // Offline: a bundled snapshot of the price catalogue (src/cost/catalogue.ts).
  if (mode === 'lint') await (await import('../cost/lint-prices.js')).lintPrices(context);
  context.diagnostics.push(...missingEnvDiagnostics(raw, () => (mode === 'run' ? '' : undefined)));

  // Checks quote values freely (`is string `...``); none may echo a key pasted in the wrong place.
  const diagnostics = sortDiagnostics(context.diagnostics.map(redactDiagnostic));
  const hasErrors = diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  if (hasErrors || !context.providers || !context.tools) return { diagnostics };
  const config: ProjectConfig = {
    root: raw.root, providers: context.providers, tools: context.tools,
    agents: context.agents, layers: context.layers, templates: context.templates, ...(context.tests ? { tests: context.tests } : {}), diagnostics,
  };
  return { config, diagnostics };
}

/** validateProject, throwing ConfigError (exit 2) with every diagnostic when there is any error. */
export async function validateProjectOrThrow(raw: RawProject, options: ValidateOptions = {}): Promise<ProjectConfig> {
  const result = await validateProject(raw, options);
  if (!result.config) throw new ConfigError(result.diagnostics);
  return result.config;
}

function register(context: ValidationContext, source: SourceFile): void {
  switch (source.kind) {
    case 'providers':
      context.providers = { value: source.value as ProvidersFile, source };
      return;
    case 'tools':
      context.tools = { value: source.value as ToolsFile, source };
      return;
    case 'agent':
      context.agents.set(nameOf(source), { value: source.value as AgentFile, source });
      return;
    case 'layer':
      context.layers.set(nameOf(source), { value: source.value as LayerFile, source });
      return;
    case 'template':
      context.templates.set(nameOf(source), { value: source.value as TemplateFile, source });
      return;
    case 'test':
      (context.tests ??= new Map()).set(nameOf(source), { value: source.value as TestFile, source });
  }
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((left, right) => (left.file < right.file ? -1 : left.file > right.file ? 1 : left.line - right.line || left.col - right.col));
}

/**
 * tools.yaml alone (schema, tools and MCP server checks), for commands that need only it, such as
 * `mcp list`, which must work while an agent still names a tool it is about to discover.
 */
export async function validateToolsFileOrThrow(raw: RawProject): Promise<Checked<ToolsFile>> {
  const context: ValidationContext = { root: raw.root, diagnostics: [], agents: new Map(), layers: new Map(), templates: new Map(), agentFiles: new Set(), layerFiles: new Set() };
  const source = raw.files.find((file) => file.kind === 'tools');
  if (!source || source.value === undefined) {
    throw new ConfigError([{ severity: 'error', code: 'ref/tools-file', file: 'tools.yaml', line: 1, col: 1, message: 'tools.yaml is missing or empty', fix: 'run `agentpipe init` or create tools.yaml' }]);
  }
  const errors = schemaErrors(source.kind, source.value);
  if (errors.length > 0) throw new ConfigError(schemaDiagnostics(source, errors).map(redactDiagnostic));
  register(context, source);
  checkTools(context);
  checkMcpServers(context);
  const diagnostics = context.diagnostics.map(redactDiagnostic);
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) throw new ConfigError(diagnostics);
  return context.tools!;
}
