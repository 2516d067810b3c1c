// Budgets: a set of named scopes (the run, a step, one agent call), each with a USD limit.
// Spending is charged to every scope it belongs to. Crossing 80% of a limit emits one
// `budget-warning` (per scope, and one event per charge: the scope closest to its limit). A limit
// reached is not a warning: the next model call, or the tools of an answer that asks for more
// calls, is refused with one BudgetExceededError naming the tightest scope (the run stops, exit 3).

import { formatUsd as usd } from '../cost/format-usd.js';
import { BudgetExceededError } from '../errors.js';
import type { EventSink } from './events.js';

/** Fraction of a limit at which `budget-warning` is emitted. */
export const budgetWarningRatio = 0.8;

/** `a >= b` for sums of float prices ($0.02 + $0.02 is 80% of $0.05, though not in binary). */
const atLeast = (a: number, b: number) => a >= b - 1e-9;

export interface BudgetScope {
  /** `run`, `step:<id>`, `agent:<name>@<step>`: stable ids, kept in events and restored on resume. */
  name: string;
  limitUsd?: number;
  /** The file (and line) whose `limits.max_cost` set the limit, for the message. */
  setIn?: string;
}

export class Budget {
  private readonly spent = new Map<string, number>();
  private readonly warned = new Set<string>();
  /** Scopes a charge took to or past their limit. */
  private readonly reached = new Map<string, BudgetScope>();

  constructor(private readonly emit: EventSink) {}

  spentIn(scope: string): number {
    return this.spent.get(scope) ?? 0;
  }

  /** Restores what earlier attempts of a resumed run already spent, without warning again for it. */
  restore(scope: string, amountUsd: number): void {
    // Fail closed: an amount that is not a finite, non-negative number (a corrupt ledger) counts as
    // everything spent, so that no limited scope can make a paid call on it.
    const amount = Number.isFinite(amountUsd) && amountUsd >= 0 ? amountUsd : Number.POSITIVE_INFINITY;
    this.spent.set(scope, this.spentIn(scope) + amount);
  }

  /** Charges a cost to each scope; warns once for a scope that crossed 80% but not 100% of its limit. */
  charge(costUsd: number, scopes: BudgetScope[], stepId?: string): void {
    let warning: { scope: BudgetScope; total: number; ratio: number } | undefined;
    for (const scope of scopes) {
      const total = this.spentIn(scope.name) + costUsd;
      this.spent.set(scope.name, total);
      if (scope.limitUsd === undefined || this.warned.has(scope.name) || !atLeast(total, scope.limitUsd * budgetWarningRatio)) continue;
      this.warned.add(scope.name);
      const ratio = total / scope.limitUsd;
      // Over the limit: reported once, as the error that stops the run, not as a warning.
      if (atLeast(total, scope.limitUsd)) {
        this.reached.set(scope.name, scope);
        continue;
      }
      if (!warning || ratio >= warning.ratio) warning = { scope, total, ratio };
    }
    if (warning?.scope.limitUsd !== undefined) {
      this.emit({ type: 'budget-warning', scope: warning.scope.name, spentUsd: warning.total, limitUsd: warning.scope.limitUsd, ...(stepId ? { stepId } : {}) });
    }
  }

  /** The exceeded scope with the smallest limit (the narrowest among equals), if any. */
  exceeded(scopes: BudgetScope[]): BudgetScope | undefined {
    let tightest: BudgetScope | undefined;
    for (const scope of scopes) {
      if (scope.limitUsd === undefined || !atLeast(this.spentIn(scope.name), scope.limitUsd)) continue;
      if (!tightest || scope.limitUsd <= (tightest.limitUsd ?? Infinity)) tightest = scope;
    }
    return tightest;
  }

  /** Throws when any scope has spent its whole limit: called before every model call. */
  assertCanSpend(scopes: BudgetScope[]): void {
    const scope = this.exceeded(scopes);
    if (scope?.limitUsd === undefined) return;
    throw new BudgetExceededError(`${this.describe(scope)}; run state saved`, this.spentIn(scope.name), scope.limitUsd);
  }

  /**
   * For a run that finished although a last answer (kept, being paid for) went over a limit:
   * says so, since no refused call did. Undefined when no limit was reached.
   */
  reachedMessage(): string | undefined {
    const scope = this.exceeded([...this.reached.values()]);
    return scope ? `${this.describe(scope)} with its last answer, which was kept` : undefined;
  }

  private describe(scope: BudgetScope): string {
    const where = scope.setIn ? ` in ${scope.setIn}` : '';
    return `budget exceeded: ${describeScope(scope.name)} spent ${usd(this.spentIn(scope.name))} of its ${usd(scope.limitUsd ?? 0)} limit (limits.max_cost${where})`;
  }
}


/** `run` -> the run, `step:x` -> step 'x', `agent:a@x` -> agent 'a' (in step 'x' when that differs). */
export function describeScope(name: string): string {
  if (name === 'run') return 'the run';
  if (name.startsWith('step:')) return `step '${name.slice(5)}'`;
  const match = /^agent:([^@]+)@(.+)$/.exec(name);
  if (!match) return name;
  return match[1] === match[2] ? `agent '${match[1]}'` : `agent '${match[1]}' in step '${match[2]}'`;
}
