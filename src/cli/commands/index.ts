// The list of verbs. Each module only registers options and a lazy action; keep imports here cheap.
import type { CAC } from 'cac';

export interface CommandModule {
  register(cli: CAC): void;
}

export const commands: CommandModule[] = [];
