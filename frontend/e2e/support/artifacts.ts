// Test artifacts: a screenshot of every page, and the measured figures
// (frontend/e2e/artifacts/figures.json, merged key by key across test files).
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS_DIR, FIGURES_FILE } from './paths';

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export type Figure = Record<string, unknown>;

/** Merges `{ [key]: value }` into figures.json (test files run one at a time, so no race). */
export function recordFigure(key: string, value: Figure): void {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  let figures: Record<string, unknown> = {};
  try {
    figures = JSON.parse(fs.readFileSync(FIGURES_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    figures = {};
  }
  figures[key] = { ...value, measuredAt: new Date().toISOString() };
  fs.writeFileSync(FIGURES_FILE, `${JSON.stringify(figures, null, 2)}\n`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Screenshots every page still open in `pages` as `FAILED-<test>-<n>.png` (call from afterEach when a test failed). */
export async function screenshotOnFailure(testName: string, pages: Page[]): Promise<void> {
  let n = 0;
  for (const page of pages) {
    n += 1;
    if (page.isClosed()) continue;
    try {
      await screenshot(page, `FAILED-${testName.slice(0, 60)}-${n}`);
    } catch {
      // the page may be mid-navigation; the other artifacts still help
    }
  }
}
