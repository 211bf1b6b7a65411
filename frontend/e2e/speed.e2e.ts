// The initial JavaScript, gzipped, stays within its budget (≤ 300 KB; issue 6):
// a size, so it is checked in every run. Time figures (first page interactive)
// are measured by `make bench` (interactive.bench.ts), not asserted here.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordFigure } from './support/artifacts';
import { launchBrowser, signedInContext } from './support/browser';
import { STATIC_DIR } from './support/paths';
import { USERS } from './support/server';
import { explorerUsable, timeUntil } from './support/usable';

const JS_BUDGET_GZ_BYTES = 300 * 1024;

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

});
