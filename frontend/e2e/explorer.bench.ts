// The explorer with 10,000 routings (issue 6: "virtualized so 10,000 routings
// stay smooth"): 100 items × 1 revision × 100 routings seeded through the
// GraphQL API on a server of its own (the shared one stays small for the
// other benchmarks), then, in a cold Chromium context signed in as the
// engineer: time to the first tree rows, time until every item page is loaded
// (the "Load more items" button, as a user would), and a scroll of the tree
// viewport from top to bottom, STEP_PX per animation frame, recording each
// frame's duration and the treeitems in the DOM. A benchmark (`npm run
// bench:spa`): it writes figures.json and prints one line; it asserts only
// functional facts (every routing reachable, the DOM bounded), never times.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api';
import { recordFigure, screenshot } from './support/artifacts';
import { launchBrowser, signedInContext, watchConsole } from './support/browser';
import { ARTIFACTS_DIR } from './support/paths';
import { McmsServer, USERS } from './support/server';

const ITEMS = 100;
const ROUTINGS_PER_REVISION = 100;
const ROUTINGS = ITEMS * ROUTINGS_PER_REVISION;
/** Rows of the fully expanded, fully loaded tree: every item, its one revision, its routings. */
const TREE_ROWS = ITEMS * 2 + ROUTINGS;
/** The server's default `graphql_max_aliases` is 30 (backend/mcms/settings.py); stay under it. */
const ALIASES_PER_REQUEST = 25;
/** Requests in flight at once while seeding (SQLite serializes the writes anyway). */
const SEED_CONCURRENCY = Number(process.env.MCMS_BENCH_SEED_CONCURRENCY ?? 4);
/** Scroll step per animation frame (px); rows are 40 px. */
const STEP_PX = Number(process.env.MCMS_BENCH_SCROLL_STEP ?? 120);
/** The DOM must stay windowed: far fewer rows than the tree has. */
const MAX_DOM_ROWS = 200;
const TREE_NAME = 'Items, revisions and routings';

let browser: Browser;
let server: McmsServer;

beforeAll(async () => {
  server = await McmsServer.create('explorer10k');
  server.createUser(USERS.engineer);
  await server.start();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose(path.join(ARTIFACTS_DIR, 'logs'));
});

/** Runs `tasks` with at most `limit` at a time; resolves to their results in order. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, () => worker()));
  return results;
}

function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < values.length; index += size) out.push(values.slice(index, index + size));
  return out;
}

/** One request of aliased mutations (`m0: field(...) { id } m1: …`); the ids in order. */
async function aliased(api: Api, name: string, variables: string, fields: string[], values: Record<string, unknown>) {
  const body = fields.map((field, index) => `m${index}: ${field} { id }`).join('\n  ');
  const data = await api.gql<Record<string, { id: string }>>(
    `mutation ${name}${variables} {\n  ${body}\n}`,
    values,
  );
  return fields.map((_, index) => (data[`m${index}`] as { id: string }).id);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** 100 items × 1 revision × 100 routings, as the engineer; returns the routing count created. */
async function seed(api: Api): Promise<number> {
  const itemNumbers = Array.from({ length: ITEMS }, (_, index) => index + 1);
  const itemIds = (
    await pool(
      chunks(itemNumbers, ALIASES_PER_REQUEST).map(
        (batch) => () =>
          aliased(
            api,
            'SeedItems',
            '',
            batch.map((n) => `createItem(input: { itemCode: "BENCH-${pad(n, 4)}", name: "Bench part ${n}" })`),
            {},
          ),
      ),
      SEED_CONCURRENCY,
    )
  ).flat();
  const revisionIds = (
    await pool(
      chunks(itemIds, ALIASES_PER_REQUEST).map(
        (batch) => () =>
          aliased(
            api,
            'SeedRevisions',
            '',
            batch.map((id) => `createRevision(itemId: ${JSON.stringify(id)}, input: { code: "A" })`),
            {},
          ),
      ),
      SEED_CONCURRENCY,
    )
  ).flat();
  const routingNumbers = Array.from({ length: ROUTINGS_PER_REVISION }, (_, index) => index + 1);
  const tasks = revisionIds.flatMap((revisionId, itemIndex) =>
    chunks(routingNumbers, ALIASES_PER_REQUEST).map(
      (batch) => () =>
        aliased(
          api,
          'SeedRoutings',
          '($revision: ID!)',
          batch.map(
            (n) =>
              `createRouting(revisionId: $revision, input: { code: "RT-${pad(n, 3)}", title: "Bench ${itemIndex + 1}/${n}" })`,
          ),
          { revision: revisionId },
        ),
    ),
  );
  return (await pool(tasks, SEED_CONCURRENCY)).flat().length;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}
const round1 = (n: number) => Math.round(n * 10) / 10;

interface ScrollResult {
  frames: number[];
  domRows: number[];
  /** Frames where the rendered rows did not cover the visible part of the viewport. */
  blankFrames: number;
  /** Main-thread tasks over 50 ms during the scroll (PerformanceObserver 'longtask'). */
  longTasks: number;
  longTaskMaxMs: number;
  routingKeys: number;
  treeRows: number;
  scrollHeight: number;
}

/** Scrolls the viewport top to bottom, `step` px per frame, in the page; frame times and DOM rows per frame. */
async function scrollThrough(page: Page, step: number): Promise<ScrollResult> {
  return await page.evaluate(async (stepPx) => {
    const viewport = document.querySelector<HTMLElement>('[data-testid="explorer-viewport"]');
    const tree = viewport?.querySelector<HTMLElement>('[role="tree"]');
    if (!viewport || !tree) throw new Error('no explorer viewport / tree');
    const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
    // Every row ever rendered, whatever the frame timing: the proof that all are reachable.
    const seen = new Set<string>();
    const collect = () => {
      for (const row of tree.querySelectorAll('[role="treeitem"]')) {
        const key = row.getAttribute('data-key');
        if (key) seen.add(key);
      }
    };
    const observer = new MutationObserver(collect);
    observer.observe(tree, { childList: true });
    const longTasks: number[] = [];
    const longTaskObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push(entry.duration);
    });
    longTaskObserver.observe({ type: 'longtask' });
    viewport.scrollTop = 0;
    await frame();
    await frame();
    collect();
    const frames: number[] = [];
    const domRows: number[] = [];
    let blankFrames = 0;
    let atBottom = 0;
    let last = await frame();
    // Each frame: what the previous step rendered, then the next step.
    for (;;) {
      const now = await frame();
      frames.push(now - last);
      last = now;
      const rows = tree.querySelectorAll<HTMLElement>('[role="treeitem"]');
      domRows.push(rows.length);
      const top = viewport.scrollTop;
      const bottom = top + viewport.clientHeight;
      let covered = 0;
      for (const row of rows) {
        const rowTop = row.offsetTop;
        const rowBottom = rowTop + row.offsetHeight;
        if (rowBottom > top && rowTop < bottom) covered += Math.min(rowBottom, bottom) - Math.max(rowTop, top);
      }
      if (covered + 1 < Math.min(viewport.clientHeight, tree.offsetHeight - top)) blankFrames += 1;
      if (top >= viewport.scrollHeight - viewport.clientHeight - 1) {
        atBottom += 1;
        if (atBottom > 10) break;
      } else {
        atBottom = 0;
        viewport.scrollTop = top + stepPx;
      }
    }
    observer.disconnect();
    for (const entry of longTaskObserver.takeRecords()) longTasks.push(entry.duration);
    longTaskObserver.disconnect();
    collect();
    return {
      frames,
      domRows,
      blankFrames,
      longTasks: longTasks.length,
      longTaskMaxMs: longTasks.length ? Math.max(...longTasks) : 0,
      routingKeys: [...seen].filter((key) => key.startsWith('routing:')).length,
      treeRows: Math.round(tree.offsetHeight / 40),
      scrollHeight: viewport.scrollHeight,
    };
  }, step);
}

describe('explorer with 10,000 routings', () => {
  it('loads, pages in and scrolls 10,000 routings with a bounded DOM', { timeout: 600_000 }, async () => {
    const api = await Api.signIn(server.url, USERS.engineer.username, USERS.engineer.password);
    const seedStart = performance.now();
    const created = await seed(api);
    const seedSeconds = round1((performance.now() - seedStart) / 1000);
    expect(created).toBe(ROUTINGS);

    const context = await signedInContext(browser, server.url, USERS.engineer);
    const errors: string[] = [];
    try {
      const page = await context.newPage();
      watchConsole(page, errors);
      const tree = page.getByRole('tree', { name: TREE_NAME });

      // Navigation start → the first treeitem on screen (performance.now() in the page).
      await page.goto('/', { waitUntil: 'commit' });
      const firstRows = await page.waitForFunction(
        () => (document.querySelector('[role="tree"] [role="treeitem"]') ? performance.now() : false),
        undefined,
        { polling: 'raf', timeout: 30_000 },
      );
      const firstRowsMs = Math.round((await firstRows.jsonValue()) as number);
      await tree.waitFor();

      // Page in every item, as a user would: "Load more items" until it is gone.
      const loadMore = page.getByRole('button', { name: 'Load more items' });
      let clicks = 0;
      let allLoadedMs = 0;
      for (;;) {
        const state = await page.waitForFunction(
          () => {
            const loading = [...document.querySelectorAll('main')].some((main) =>
              (main.textContent ?? '').includes('Loading'),
            );
            if (loading) return false;
            const more = [...document.querySelectorAll('main button')].some(
              (button) => button.textContent === 'Load more items' && button.getAttribute('aria-disabled') !== 'true',
            );
            return { more, at: performance.now() };
          },
          undefined,
          { polling: 'raf', timeout: 60_000 },
        );
        const { more, at } = (await state.jsonValue()) as { more: boolean; at: number };
        if (!more) {
          allLoadedMs = Math.round(at);
          break;
        }
        await loadMore.click();
        clicks += 1;
        if (clicks > ITEMS) throw new Error('"Load more items" never went away');
      }
      const treeRowsLoaded = await tree.evaluate((node) => Math.round((node as HTMLElement).offsetHeight / 40));
      const itemSetSize = Number(await tree.locator('[role="treeitem"][aria-level="1"]').first().getAttribute('aria-setsize'));
      await screenshot(page, 'explorer-10k-loaded');

      const scroll = await scrollThrough(page, STEP_PX);
      await screenshot(page, 'explorer-10k-bottom');
      // The first frame is the one before the first step; measure the steps.
      const frames = scroll.frames.slice(1);
      const maxDomRows = Math.max(...scroll.domRows);
      const figure = {
        what:
          `${ITEMS} items × 1 revision × ${ROUTINGS_PER_REVISION} routings; cold Chromium context, signed in as engineer; ` +
          `"Load more items" until all are loaded; then the viewport scrolled top → bottom, ${STEP_PX} px per animation frame`,
        seedSeconds,
        seedRequests: Math.ceil(ITEMS / ALIASES_PER_REQUEST) * 2 + ITEMS * Math.ceil(ROUTINGS_PER_REVISION / ALIASES_PER_REQUEST),
        routings: ROUTINGS,
        treeRows: treeRowsLoaded,
        itemSetSize,
        firstRowsMs,
        allLoadedMs,
        loadMoreClicks: clicks,
        scrollFrames: frames.length,
        scrollPx: scroll.scrollHeight,
        frameP50Ms: round1(percentile(frames, 50)),
        frameP95Ms: round1(percentile(frames, 95)),
        frameMaxMs: round1(Math.max(...frames)),
        framesOver50Ms: frames.filter((ms) => ms > 50).length,
        blankFrames: scroll.blankFrames,
        longTasks: scroll.longTasks,
        longTaskMaxMs: round1(scroll.longTaskMaxMs),
        maxDomRows,
        routingRowsRendered: scroll.routingKeys,
      };
      recordFigure('explorer10k', figure);
      console.info(
        `explorer 10k: seed ${seedSeconds} s; tree ${treeRowsLoaded} rows (items setsize ${itemSetSize}); first rows ` +
          `${firstRowsMs} ms, all loaded ${allLoadedMs} ms (${clicks} × "Load more items"); scroll ${frames.length} frames ` +
          `@ ${STEP_PX} px: frame p50 ${figure.frameP50Ms} ms, p95 ${figure.frameP95Ms} ms, max ${figure.frameMaxMs} ms, ` +
          `${figure.framesOver50Ms} > 50 ms, ${scroll.blankFrames} blank, ${scroll.longTasks} long tasks; DOM rows max ${maxDomRows}; ` +
          `${scroll.routingKeys} routing rows rendered`,
      );

      expect(itemSetSize).toBe(ITEMS);
      expect(treeRowsLoaded).toBe(TREE_ROWS);
      expect(scroll.routingKeys).toBe(ROUTINGS);
      expect(maxDomRows).toBeLessThan(MAX_DOM_ROWS);
      expect(errors).toEqual([]);
    } catch (error) {
      throw new Error(`${String(error)}\npage errors:\n${errors.join('\n')}\nserver log:\n${server.logTail(2000)}`, {
        cause: error,
      });
    } finally {
      await context.close();
    }
  });
});
