// The config repo serve was started in, loaded and validated once and kept until a config file
// changes (fs.watch on agents/, templates/ and the root), so a POST /v1/runs costs an input check
// and an insert, not a lint of the whole project. A project that fails validation is reported as
// the CLI would (ConfigError with diagnostics) on each request until it is fixed.

import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../compile/compile.js';
import type { CompiledPipeline } from '../compile/ir.js';
import { requireTargetEnv } from '../compile/project.js';
import type { RawProject } from '../load/types.js';
import type { ProjectConfig } from '../validate/types.js';

export interface LoadedServeProject {
  raw: RawProject;
  config: ProjectConfig;
  /** process env plus the project's .env (which never overrides). */
  env: NodeJS.ProcessEnv;
}

export class ServeProject {
  private loaded: Promise<LoadedServeProject> | undefined;
  private readonly pipelines = new Map<string, CompiledPipeline>();
  private readonly watchers: FSWatcher[] = [];

  constructor(
    readonly root: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {
    for (const [path, recursive] of [[root, false], [join(root, 'agents'), true], [join(root, 'templates'), true]] as const) {
      try {
        const watcher = watch(path, { recursive, persistent: false }, (_event, name) => {
          if (!recursive && name && !/\.(ya?ml)$|^\.env/.test(String(name))) return;
          this.invalidate();
        });
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // A project without templates/ has nothing there to watch.
      }
    }
  }

  invalidate(): void {
    this.loaded = undefined;
    this.pipelines.clear();
  }

  load(): Promise<LoadedServeProject> {
    this.loaded ??= (async () => {
      const { loadProject } = await import('../load/index.js');
      const { validateProjectOrThrow } = await import('../validate/index.js');
      const raw = await loadProject({ cwd: this.root, env: this.baseEnv });
      const config = await validateProjectOrThrow(raw, { env: raw.env, mode: 'lint' });
      return { raw, config, env: { ...raw.env } as NodeJS.ProcessEnv };
    })();
    // A failed load is not cached: the next request tries again (the file may be fixed by then).
    this.loaded.catch(() => (this.loaded = undefined));
    return this.loaded;
  }

  /** The compiled target (path or name), checked for the env vars it needs; cached per target and model. */
  async pipeline(target: string, modelOverride?: string): Promise<{ pipeline: CompiledPipeline; project: LoadedServeProject }> {
    const project = await this.load();
    const key = `${target}\u0000${modelOverride ?? ''}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      if (modelOverride) {
        const { checkModelOverride } = await import('../run/flag-checks.js');
        checkModelOverride(project.config, modelOverride, project.env);
      }
      pipeline = compile(project.config, target, { env: project.env, cwd: this.root, ...(modelOverride ? { modelOverride } : {}) });
      await requireTargetEnv(project.raw, pipeline);
      this.pipelines.set(key, pipeline);
    }
    return { pipeline, project };
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
  }
}
