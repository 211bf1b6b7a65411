// Speed (issue 6): the initial JavaScript, gzipped (≤ 300 KB), and the first
// page interactive (≤ 1 s on this machine against the local server), both for
// the sign-in form and for a signed-in explorer. Written to figures.json.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { median, recordFigure, screenshot } from './support/artifacts';
import { launchBrowser, newContext, signedInContext } from './support/browser';
import { STATIC_DIR } from './support/paths';
import { USERS } from './support/server';

const JS_BUDGET_GZ_BYTES = 300 * 1024;
const INTERACTIVE_BUDGET_MS = 1000;
const RUNS = 5;

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const gz = (bytes: Buffer | Uint8Array) => gzipSync(bytes).length;
const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

/** The scripts index.html makes the browser load at once: module entry points and modulepreloads. */
function initialScriptsOfBuild(): string[] {
  const html = fs.readFileSync(path.join(STATIC_DIR, 'index.html'), 'utf8');
  const urls = new Set<string>();
  for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+\.js)"/g)) urls.add(match[1] as string);
  for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+\.js)"/g)) urls.add(match[1] as string);
  return [...urls];
}

/** Milliseconds from navigation start until `readyAt()` (run in the page every frame) returns a time. */
async function timeUntil(page: Page, target: string, readyAt: () => number | false): Promise<number> {
  await page.goto(target, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(readyAt, undefined, { polling: 'raf', timeout: 15_000 });
  return Math.round((await handle.jsonValue()) as number);
}

/** The sign-in form is on screen and usable: the fields and the button, enabled, the first field focused. */
function signInUsable(): number | false {
  const user = document.querySelector<HTMLInputElement>('input[name="username"]');
  const password = document.querySelector<HTMLInputElement>('input[name="password"]');
  const submit = document.querySelector<HTMLButtonElement>('form button[type="submit"]');
  const ok = user && password && submit && !user.disabled && !submit.disabled && document.activeElement === user;
  return ok ? performance.now() : false;
}

/** The explorer's heading and search box are there and the first page of items has loaded. */
function explorerUsable(): number | false {
  const heading = document.querySelector('main h1');
  const search = document.querySelector<HTMLInputElement>('main input[type="search"]');
  const loading = [...document.querySelectorAll('main [role="status"]')].some((node) =>
    (node.textContent ?? '').includes('Loading'),
  );
  const ok = heading?.textContent?.includes('Explorer') && search && !search.disabled && !loading;
  return ok ? performance.now() : false;
}

describe('speed', () => {
  it(`loads at most ${kb(JS_BUDGET_GZ_BYTES)} KB of JavaScript (gzipped) on the first page`, async () => {
    const fromBuild = initialScriptsOfBuild().map((url) => {
      const bytes = fs.readFileSync(path.join(STATIC_DIR, url.replace(/^\//, '')));
      return { url, bytes: bytes.length, gzipBytes: gz(bytes) };
    });
    expect(fromBuild.length).toBeGreaterThan(0);

    // What the browser actually fetches for the first signed-in page (the explorer), lazy chunks included.
    const context = await signedInContext(browser, baseUrl, USERS.engineer);
    const loaded: { url: string; bytes: number; gzipBytes: number }[] = [];
    try {
      const page = await context.newPage();
      const pending: Promise<void>[] = [];
      page.on('response', (response: Response) => {
        if (response.request().resourceType() !== 'script') return;
        pending.push(
          response.body().then((body) => {
            loaded.push({ url: new URL(response.url()).pathname, bytes: body.length, gzipBytes: gz(body) });
          }),
        );
      });
      await timeUntil(page, '/', explorerUsable);
      await page.waitForLoadState('networkidle');
      await Promise.all(pending);
    } finally {
      await context.close();
    }

    const sum = (list: { gzipBytes: number }[]) => list.reduce((total, file) => total + file.gzipBytes, 0);
    const buildGz = sum(fromBuild);
    const pageGz = sum(loaded);
    recordFigure('initialJavaScript', {
      budgetKbGz: kb(JS_BUDGET_GZ_BYTES),
      fromIndexHtmlKbGz: kb(buildGz),
      loadedByExplorerKbGz: kb(pageGz),
      files: { fromIndexHtml: fromBuild, loadedByExplorer: loaded },
    });
    console.info(`initial JS: ${kb(buildGz)} KB gz from index.html, ${kb(pageGz)} KB gz loaded by the explorer`);
    expect(buildGz).toBeLessThanOrEqual(JS_BUDGET_GZ_BYTES);
    expect(pageGz).toBeLessThanOrEqual(JS_BUDGET_GZ_BYTES);
  });

  it(`shows a usable sign-in form and a usable explorer within ${INTERACTIVE_BUDGET_MS} ms`, async () => {
    async function sample(signedIn: boolean): Promise<number[]> {
      const times: number[] = [];
      // One run to warm the server up (imports, caches), then RUNS measured, each with a cold browser cache.
      for (let run = 0; run <= RUNS; run += 1) {
        const context = signedIn ? await signedInContext(browser, baseUrl, USERS.engineer) : await newContext(browser, baseUrl);
        try {
          const page = await context.newPage();
          const ms = await timeUntil(page, '/', signedIn ? explorerUsable : signInUsable);
          if (run > 0) times.push(ms);
          if (run === RUNS) await screenshot(page, signedIn ? 'speed-explorer' : 'speed-sign-in');
        } finally {
          await context.close();
        }
      }
      return times;
    }
    const signIn = await sample(false);
    const explorer = await sample(true);
    recordFigure('firstPageInteractive', {
      budgetMs: INTERACTIVE_BUDGET_MS,
      what: 'navigation start → the page usable, cold browser cache, warm local server; median of runs',
      signInMedianMs: median(signIn),
      signInRunsMs: signIn,
      explorerSignedInMedianMs: median(explorer),
      explorerSignedInRunsMs: explorer,
    });
    console.info(`first page interactive: sign-in ${median(signIn)} ms, signed-in explorer ${median(explorer)} ms (medians)`);
    expect(median(signIn)).toBeLessThanOrEqual(INTERACTIVE_BUDGET_MS);
    expect(median(explorer)).toBeLessThanOrEqual(INTERACTIVE_BUDGET_MS);
  });
});
