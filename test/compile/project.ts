// Test helper: a fixture folder -> ProjectConfig through the real loader. Until validateProject is
// wired here it builds the maps directly from the loaded files (fixtures are schema-valid).

import { fileURLToPath } from 'node:url';
import { loadProject } from '../../src/load/index.js';
import type { SourceFile } from '../../src/load/types.js';
import type { Checked, ProjectConfig } from '../../src/validate/types.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/compile/', import.meta.url));
export const basicFixture = `${fixturesDir}basic`;

export async function loadFixtureProject(root: string, env: NodeJS.ProcessEnv = {}): Promise<ProjectConfig> {
  const raw = await loadProject({ cwd: root, env });
  const errors = raw.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) throw new Error(`fixture ${root} does not load: ${JSON.stringify(errors)}`);
  const byKind = (kind: SourceFile['kind']) => raw.files.filter((file) => file.kind === kind);
  const checked = <T>(source: SourceFile): Checked<T> => ({ value: source.value as T, source });
  const one = <T>(kind: SourceFile['kind']): Checked<T> => {
    const file = byKind(kind)[0];
    if (!file) throw new Error(`fixture ${root} has no ${kind} file`);
    return checked<T>(file);
  };
  const named = <T extends { name: string }>(kind: SourceFile['kind']) => new Map(byKind(kind).map((file) => [(file.value as T).name, checked<T>(file)]));
  const layerName = (file: string) => file.replace(/^agents\/layers\//, '').replace(/\.yaml$/, '');
  return {
    root: raw.root,
    providers: one('providers'),
    tools: one('tools'),
    agents: named('agent'),
    layers: new Map(byKind('layer').map((file) => [layerName(file.file), checked(file)])),
    templates: named('template'),
    diagnostics: [],
  };
}
