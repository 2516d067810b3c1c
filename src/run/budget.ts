// Budgets: a set of named scopes (the run, a step, one agent call), each with a USD limit.
// Spending is charged to every scope it belongs to; a warning is emitted once per scope at 80%,
// and at 100% the next model call is refused with BudgetExceededError (the run stops, exit 3).

import { BudgetExceededError } from '../errors.js';
import type { EventSink } from './events.js';

/** Fraction of a limit at which `budget-warning` is emitted. */
export const budgetWarningRatio = 0.8;

export interface BudgetScope {
  /** `run`, `step:<id>`, `agent:<name>@<step>`: shown to the user as is. */
  name: string;
  limitUsd?: number;
}

export class Budget {
  private readonly spent = new Map<string, number>();
  private readonly warned = new Set<string>();

  constructor(private readonly emit: EventSink) {}

  spentIn(scope: string): number {
    return this.spent.get(scope) ?? 0;
  }

  /** Restores what earlier attempts of a resumed run already spent, without warning again for it. */
  restore(scope: string, amountUsd: number): void {
    this.spent.set(scope, this.spentIn(scope) + amountUsd);
  }

  /** Charges a cost to each scope and warns for any scope that crossed 80% of its limit. */
  charge(costUsd: number, scopes: BudgetScope[], stepId?: string): void {
    for (const scope of scopes) {
      const total = this.spentIn(scope.name) + costUsd;
      this.spent.set(scope.name, total);
      if (scope.limitUsd === undefined || this.warned.has(scope.name)) continue;
      if (total >= scope.limitUsd * budgetWarningRatio) {
        this.warned.add(scope.name);
        this.emit({ type: 'budget-warning', scope: scope.name, spentUsd: total, limitUsd: scope.limitUsd, ...(stepId ? { stepId } : {}) });
      }
    }
  }

  /** Throws when any scope has spent its whole limit: called before every model call. */
  assertCanSpend(scopes: BudgetScope[]): void {
    for (const scope of scopes) {
      if (scope.limitUsd === undefined) continue;
      const spent = this.spentIn(scope.name);
      if (spent >= scope.limitUsd) {
        throw new BudgetExceededError(
          `budget exceeded for ${scope.name}: spent $${spent.toFixed(4)} of $${scope.limitUsd.toFixed(4)} (limits.max_cost); run state saved`,
          spent,
          scope.limitUsd,
        );
      }
    }
  }
}
