// Web-first assertions for playwright-core (which has no `expect` of its own):
// each waits for the condition, up to a timeout, and fails with what it saw.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const WAIT_MS = 15_000;
const poll = { timeout: WAIT_MS, interval: 50 };

export async function visible(locator: Locator, timeout = WAIT_MS): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
}

/** Nothing matching is visible (absent or hidden). */
export async function gone(locator: Locator, timeout = WAIT_MS): Promise<void> {
  await expect.poll(async () => await locator.filter({ visible: true }).count(), { ...poll, timeout }).toBe(0);
}

export async function count(locator: Locator, n: number): Promise<void> {
  await expect.poll(async () => await locator.count(), poll).toBe(n);
}

export async function text(locator: Locator, wanted: string | RegExp, timeout = WAIT_MS): Promise<void> {
  const read = async () => ((await locator.count()) ? ((await locator.first().innerText()).trim()) : '<absent>');
  if (typeof wanted === 'string') await expect.poll(read, { ...poll, timeout }).toBe(wanted);
  else await expect.poll(read, { ...poll, timeout }).toMatch(wanted);
}

export async function value(locator: Locator, wanted: string): Promise<void> {
  await expect.poll(async () => await locator.inputValue(), poll).toBe(wanted);
}

export async function attribute(locator: Locator, name: string, wanted: string | RegExp, timeout = WAIT_MS): Promise<void> {
  const read = async () => ((await locator.count()) ? await locator.first().getAttribute(name) : '<absent>');
  if (typeof wanted === 'string') await expect.poll(read, { ...poll, timeout }).toBe(wanted);
  else await expect.poll(read, { ...poll, timeout }).toMatch(wanted);
}

export async function url(page: Page, wanted: string | RegExp): Promise<void> {
  await page.waitForURL(wanted, { timeout: WAIT_MS });
}

export async function title(page: Page, wanted: RegExp): Promise<void> {
  await expect.poll(async () => await page.title(), poll).toMatch(wanted);
}
