// Lint warnings from the price catalogue: a model whose price differs from the catalogue's, or
// whose as_of is older than the catalogue's last recorded price change. Warnings, not errors: a
// negotiated or regional price may differ on purpose. Fixed by `agentpipe models --update-prices`.

import type { ValidationContext } from '../validate/context.js';
import { report } from '../validate/context.js';

export async function lintPrices(context: ValidationContext): Promise<void> {
  const checked = context.providers;
  if (!checked) return;
  const [{ loadCatalogue }, { checkPrices, describeDifferences }] = await Promise.all([import('./catalogue.js'), import('./price-check.js')]);
  const catalogue = await loadCatalogue();
  for (const check of checkPrices(checked.value, catalogue)) {
    if (check.acknowledged) continue;
    const path = ['models', check.model, 'pricing'];
    const fix = 'run `agentpipe models --update-prices`, or add `check_catalogue: false` to the pricing when the difference is deliberate';
    if (check.status === 'differs') {
      report(context, checked.source, path, 'price/differs', `\`${check.model}\` is priced differently from ${check.source}: ${describeDifferences(check)}`, { severity: 'warning', fix });
    } else if (check.status === 'stale') {
      report(context, checked.source, [...path, ...(check.asOf ? ['as_of'] : [])], 'price/outdated', `\`${check.model}\` pricing as_of ${check.asOf ?? '(not set)'} is older than ${check.source}'s price change on ${check.changedOn}`, { severity: 'warning', fix });
    }
  }
}
