// axe-core in the page: 0 violations of impact serious or critical, or a
// readable list of what is wrong and where.
import { createRequire } from 'node:module';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

declare global {
  interface Window {
    axe?: { run(context?: unknown, options?: unknown): Promise<AxeResults> };
  }
}

export function formatViolations(violations: Result[]): string {
  return violations
    .map((violation) => {
      const nodes = violation.nodes
        .slice(0, 8)
        .map((node) => `      - ${node.target.join(' ')}\n        ${node.failureSummary?.replace(/\n/g, '\n        ') ?? ''}`)
        .join('\n');
      const more = violation.nodes.length > 8 ? `\n      … and ${violation.nodes.length - 8} more` : '';
      return `  [${violation.impact}] ${violation.id}: ${violation.help}\n    ${violation.helpUrl}\n${nodes}${more}`;
    })
    .join('\n');
}

/** Runs axe on the page as it is now (or only on the elements `include` selects);
 * throws listing every serious or critical violation. */
export async function expectAccessible(page: Page, what: string, include?: string[]): Promise<void> {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.addScriptTag({ path: AXE_PATH });
  const results = await page.evaluate(async (selectors) => {
    const axe = window.axe;
    if (!axe) throw new Error('axe-core did not load');
    return await axe.run(selectors ? { include: selectors.map((selector) => [selector]) } : document, {
      resultTypes: ['violations'],
    });
  }, include ?? null);
  const bad = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  if (bad.length > 0) {
    throw new Error(`axe: ${bad.length} serious/critical violation(s) on ${what} (${page.url()}):\n${formatViolations(bad)}`);
  }
}
