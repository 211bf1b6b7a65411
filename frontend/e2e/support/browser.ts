// Chromium through playwright-core (no browser downloads: Debian's chromium),
// and signing in, through the form or through the API.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { visible } from './expect';
import { CHROMIUM } from './paths';
import type { E2eUser } from './server';

export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
}

const outsideRequests: string[] = [];

/** Every request a context of this test file sent anywhere but its server
 * (MCMS must work with no internet: no CDN, no web font, nothing outside). */
export function requestsOutsideTheServer(): readonly string[] {
  return outsideRequests;
}

/** A fresh context (cookies, cache, storage of its own) on `baseUrl`. */
export async function newContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(15_000);
  const server = new URL(baseUrl);
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.host !== server.host) outsideRequests.push(request.url());
  });
  return context;
}

/** A context already signed in as `user` (POST /auth/login; the cookie lands in the context). */
export async function signedInContext(browser: Browser, baseUrl: string, user: E2eUser): Promise<BrowserContext> {
  const context = await newContext(browser, baseUrl);
  const response = await context.request.post('/auth/login', {
    data: { username: user.username, password: user.password },
  });
  if (!response.ok()) throw new Error(`sign-in of ${user.username} failed: ${response.status()} ${await response.text()}`);
  return context;
}

/** Fills in and submits the sign-in form (the page must show it). */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Opens `path` signed in, and waits for its main heading. */
export async function openPage(page: Page, path: string, heading: string | RegExp): Promise<void> {
  await page.goto(path);
  await visible(page.getByRole('heading', { level: 1, name: heading }));
}

/** Collects the page's console errors and uncaught exceptions (printed when a test fails). */
export function watchConsole(page: Page, into: string[]): void {
  page.on('pageerror', (error) => into.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') into.push(`console.error: ${message.text()}`);
  });
}

/** Waits until nothing in the main area says it is loading (every "Loading…" status is gone). */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      ![...document.querySelectorAll('main [role="status"], main [aria-busy="true"]')].some(
        (node) => node.getAttribute('aria-busy') === 'true' || /Loading/.test(node.textContent ?? ''),
      ),
    undefined,
    { timeout: 15_000, polling: 100 },
  );
}
