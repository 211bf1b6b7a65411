// The main scenario with two people in two browser contexts, the reference
// add-in agent as a real process, and the live updates between them; then a
// rejection with its reason; then an upload cut off mid-way that resumes
// (in the same page, and after a reload once the file is picked again).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { AgentProcess } from './support/agent';
import { Api, createRouting } from './support/api';
import { recordFigure, screenshot, screenshotOnFailure } from './support/artifacts';
import { expectAccessible } from './support/axe';
import { launchBrowser, openPage, settled, signedInContext, watchConsole } from './support/browser';
import * as see from './support/expect';
import { ARTIFACTS_DIR } from './support/paths';
import { makeTempDir } from './support/processes';
import { USERS } from './support/server';
import { eventually } from './support/wait';

const LIVE_BUDGET_MS = 2000;
const baseUrl = inject('baseUrl');
const agentToken = inject('agentToken');
let browser: Browser;
let agent: AgentProcess | null = null;
const contexts: BrowserContext[] = [];
let pages: Page[] = [];
const pageErrors: string[] = [];
let files: string;

beforeAll(async () => {
  browser = await launchBrowser();
  files = makeTempDir('files');
});
beforeEach((context) => {
  const mine: Page[] = [];
  pages = mine;
  context.onTestFailed(async () => await screenshotOnFailure(context.task.name, mine));
});
afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await agent?.dispose(path.join(ARTIFACTS_DIR, 'logs'));
});

async function pageAs(user: (typeof USERS)[keyof typeof USERS]): Promise<Page> {
  const context = await signedInContext(browser, baseUrl, user);
  contexts.push(context);
  const page = await context.newPage();
  watchConsole(page, pageErrors);
  pages.push(page);
  return page;
}

const unique = () => Date.now().toString(36).toUpperCase();
const tab = (page: Page, name: string) => page.getByRole('tablist', { name: 'Routing workspace' }).getByRole('tab', { name });
const statusBadge = (page: Page) => page.locator('header [data-status]').first();

/** Records, in the page, the epoch ms at which the generation badge first reads SUCCEEDED. */
async function watchGenerationBadge(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __succeededAt?: number };
    const check = () => {
      if (w.__succeededAt) return;
      if (document.querySelector('[data-generation-status="SUCCEEDED"]')) w.__succeededAt = Date.now();
    };
    new MutationObserver(check).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-generation-status'],
    });
    check();
  });
}

describe('main scenario', () => {
  it('engineer builds and submits a routing; the approver sees it live and approves; the agent generates; the badge turns SUCCEEDED live', async () => {
    const engineerApi = await Api.signIn(baseUrl, USERS.engineer.username, USERS.engineer.password);
    const id = unique();
    const itemCode = `E2E-${id}`;
    const routingCode = `OP-${id}`;

    // The approver's inbox is open before anything is submitted.
    const approver = await pageAs(USERS.approver);
    await openPage(approver, '/approvals', 'Approvals inbox');
    await settled(approver);
    const inboxRow = approver.getByRole('link', { name: `Review ${routingCode}` });
    await see.gone(inboxRow);

    // Engineer: item → revision → routing, through the explorer's forms.
    const engineer = await pageAs(USERS.engineer);
    await openPage(engineer, '/', 'Explorer');
    await engineer.getByRole('button', { name: 'New item' }).click();
    let dialog = engineer.getByRole('dialog', { name: 'New item' });
    await see.visible(dialog);
    await screenshot(engineer, 'explorer-new-item-dialog');
    await expectAccessible(engineer, 'the new item dialog');
    await dialog.getByLabel('Item code').fill(itemCode);
    await dialog.getByLabel('Name').fill(`Bracket ${id}`);
    await dialog.getByRole('button', { name: 'Create item' }).click();
    await see.gone(dialog);
    // Find it the way a user would among many (the tree is virtualized).
    await engineer.getByRole('searchbox', { name: 'Search items' }).fill(itemCode);
    await see.url(engineer, new RegExp(`[?&]q=${itemCode}`));

    await engineer.getByRole('button', { name: `New revision for ${itemCode}` }).click();
    dialog = engineer.getByRole('dialog', { name: `New revision of ${itemCode}` });
    await dialog.getByLabel('Revision code').fill('A');
    await dialog.getByRole('button', { name: 'Create revision' }).click();
    await see.gone(dialog);

    await engineer.getByRole('button', { name: `New routing for ${itemCode} revision A` }).click();
    dialog = engineer.getByRole('dialog', { name: `New routing in ${itemCode} revision A` });
    await dialog.getByLabel('Routing code').fill(routingCode);
    await dialog.getByLabel('Title').fill(`Bracket machining ${id}`);
    await dialog.getByRole('button', { name: 'Create routing' }).click();

    // The workspace opens on the Steps tab.
    await see.visible(engineer.getByRole('heading', { level: 1, name: new RegExp(routingCode) }));
    await see.url(engineer, /\/routings\/\d+/);
    const routingId = /\/routings\/(\d+)/.exec(engineer.url())?.[1] as string;
    expect(routingId).toBeTruthy();
    await see.attribute(tab(engineer, 'Steps'), 'aria-selected', 'true');

    // Steps: add two, name them, reorder, save.
    await engineer.getByRole('button', { name: 'Add step' }).click();
    await engineer.getByRole('textbox', { name: 'Operation name (step 1)', exact: true }).fill('Deburr');
    await engineer.getByRole('button', { name: 'Add step' }).click();
    await engineer.getByRole('textbox', { name: 'Operation name (step 2)', exact: true }).fill('Mill contour');
    await engineer.getByRole('button', { name: 'Move up (step 2)' }).click();
    await see.value(engineer.getByRole('textbox', { name: 'Operation name (step 1)', exact: true }), 'Mill contour');
    await see.value(engineer.getByRole('textbox', { name: 'Operation name (step 2)', exact: true }), 'Deburr');
    await screenshot(engineer, 'workspace-steps-edited');
    await expectAccessible(engineer, 'the steps editor with unsaved changes');
    await engineer.getByRole('button', { name: 'Save changes' }).click();
    await see.text(engineer.getByRole('status').filter({ hasText: /changes saved|Unsaved|Saving/ }), 'All changes saved');
    const saved = await engineerApi.gql<{ routing: { version: number; steps: { name: string }[] } }>(
      `query($id: ID!) { routing(id: $id) { version steps { name } } }`,
      { id: routingId },
    );
    expect(saved.routing.steps.map((step) => step.name)).toEqual(['Mill contour', 'Deburr']);

    // Files: a small upload.
    await tab(engineer, 'Files').click();
    await see.url(engineer, new RegExp(`/routings/${routingId}/files$`));
    const small = path.join(files, `setup-${id}.txt`);
    fs.writeFileSync(small, `Fixture plan for ${routingCode}\n`);
    await engineer.getByLabel('Choose files to upload').setInputFiles(small);
    const upload = engineer.locator(`[data-upload-name="${path.basename(small)}"]`);
    await see.attribute(upload, 'data-upload-state', 'committed', 30_000);
    const storedFiles = engineer.getByRole('table', { name: /Files of this routing/ });
    await see.visible(storedFiles.getByRole('rowheader', { name: new RegExp(path.basename(small)) }));
    await screenshot(engineer, 'workspace-files-uploaded');

    // Approval: request it.
    await tab(engineer, 'Approval').click();
    await engineer.getByRole('button', { name: 'Request approval' }).click();
    const submittedAt = Date.now();
    await see.attribute(statusBadge(engineer), 'data-status', 'PENDING_APPROVAL');

    // The approver's inbox shows it without a reload.
    await see.visible(inboxRow);
    const inboxMs = Date.now() - submittedAt;
    await screenshot(approver, 'approvals-inbox-live');

    // The agent runs as a process, waiting for jobs.
    agent = new AgentProcess(baseUrl, agentToken);
    agent.start();
    await eventually(() => agent?.log().includes('polling'), 'the agent to start polling', { timeoutMs: 20_000 });

    // The engineer watches the badge; the approver approves in the workspace.
    await watchGenerationBadge(engineer);
    await inboxRow.click();
    await see.url(approver, new RegExp(`/routings/${routingId}/approval$`));
    await approver.getByRole('button', { name: 'Approve', exact: true }).click();
    await approver.getByRole('button', { name: 'Confirm approval' }).click();
    await see.attribute(statusBadge(approver), 'data-status', 'APPROVED');
    await see.attribute(statusBadge(engineer), 'data-status', 'APPROVED');

    // The agent claims and completes the job; when did the server record it?
    const job = await eventually(
      async () => {
        const data = await engineerApi.gql<{
          addinJobs: { edges: { node: { id: string; status: string; finishedAt: string | null } }[] };
        }>(`query($id: ID!) { addinJobs(routingId: $id, first: 5) { edges { node { id status finishedAt } } } }`, {
          id: routingId,
        });
        const node = data.addinJobs.edges[0]?.node;
        if (node?.status === 'FAILED') throw new Error(`the job failed:\n${agent?.log()}`);
        return node?.status === 'COMPLETED' && node.finishedAt ? node : null;
      },
      'the agent to complete the job',
      { timeoutMs: 30_000 },
    );
    const finishedAt = Date.parse(job.finishedAt as string);
    const generation = engineer.locator('[data-generation-status]').first();
    await see.attribute(generation, 'data-generation-status', 'SUCCEEDED', 10_000);
    const succeededAt = await engineer.evaluate(() => (window as unknown as { __succeededAt?: number }).__succeededAt ?? 0);
    const latency = succeededAt - finishedAt;
    recordFigure('liveEventLatency', {
      budgetMs: LIVE_BUDGET_MS,
      what: "add-in job completed (server's finishedAt) → the engineer's generation badge reads SUCCEEDED (in-page MutationObserver), no reload",
      ms: latency,
      inboxShowsSubmissionMs: inboxMs,
    });
    console.info(`live event latency: ${latency} ms (badge); inbox showed the submission after ${inboxMs} ms`);
    expect(succeededAt).toBeGreaterThan(0);
    expect(latency).toBeLessThanOrEqual(LIVE_BUDGET_MS);
    await see.text(generation, 'Generation: Succeeded');
    await screenshot(engineer, 'workspace-generation-succeeded');

    // The Add-in tab lists the completed job.
    await tab(engineer, 'Add-in').click();
    await see.url(engineer, new RegExp(`/routings/${routingId}/addin$`));
    await settled(engineer);
    await see.visible(engineer.getByText(/Completed/).first());
    await screenshot(engineer, 'workspace-addin-completed');
    await expectAccessible(engineer, 'the add-in tab with a completed job');
  });

  it('rejection needs a reason, and the engineer sees REJECTED and the reason live', async () => {
    const engineerApi = await Api.signIn(baseUrl, USERS.engineer.username, USERS.engineer.password);
    const routing = await createRouting(engineerApi, 'REJ', true);
    const engineer = await pageAs(USERS.engineer);
    await openPage(engineer, `/routings/${routing.routingId}/approval`, new RegExp(routing.code));
    await see.attribute(statusBadge(engineer), 'data-status', 'PENDING_APPROVAL');

    const approver = await pageAs(USERS.approver);
    await openPage(approver, `/routings/${routing.routingId}/approval`, new RegExp(routing.code));
    await approver.getByRole('button', { name: 'Reject', exact: true }).click();
    await approver.getByRole('button', { name: 'Confirm rejection' }).click();
    await see.text(approver.getByRole('alert').filter({ hasText: 'reason' }), 'Give a reason for the rejection.');
    await see.attribute(statusBadge(approver), 'data-status', 'PENDING_APPROVAL');
    await screenshot(approver, 'workspace-reject-reason-required');
    await expectAccessible(approver, 'the rejection form with its error');

    const reason = `Tool T12 is missing from the library (${unique()})`;
    await approver.getByLabel('Reason for rejection (required)').fill(reason);
    await approver.getByRole('button', { name: 'Confirm rejection' }).click();
    await see.attribute(statusBadge(approver), 'data-status', 'REJECTED');

    // The engineer's page, untouched, follows.
    await see.attribute(statusBadge(engineer), 'data-status', 'REJECTED');
    const notice = engineer.getByTestId('rejection-notice');
    await see.visible(notice);
    await see.text(notice, new RegExp(reason.replace(/[()]/g, '\\$&')));
    await screenshot(engineer, 'workspace-rejected');
    await expectAccessible(engineer, 'the rejected routing');
  });
});

describe('resumable upload', () => {
  const MiB = 1024 * 1024;

  /** Lets the first `pass` PATCHes through, then fails every PATCH while `blocked`. */
  async function cutOff(page: Page, pass: number) {
    const state = { patches: 0, blocked: false, offsets: [] as number[] };
    await page.route('**/api/uploads/**', async (route) => {
      const request: Request = route.request();
      if (request.method() === 'PATCH') {
        if (state.blocked) return await route.abort('connectionreset');
        state.patches += 1;
        state.offsets.push(Number(request.headers()['upload-offset']));
        if (state.patches >= pass) state.blocked = true;
      }
      return await route.continue();
    });
    return state;
  }

  it('an upload cut off mid-way resumes in the page, and after a reload once the file is picked again', async () => {
    const engineerApi = await Api.signIn(baseUrl, USERS.engineer.username, USERS.engineer.password);
    const routing = await createRouting(engineerApi, 'UPL');
    const big = path.join(files, `model-${unique()}.bin`);
    fs.writeFileSync(big, randomBytes(40 * MiB));
    const name = path.basename(big);

    const page = await pageAs(USERS.engineer);
    await openPage(page, `/routings/${routing.routingId}/files`, new RegExp(routing.code));

    // 1. In the page: the connection drops after the first chunk, then comes back.
    const first = await cutOff(page, 1);
    await page.getByLabel('Choose files to upload').setInputFiles(big);
    const row = page.locator(`[data-upload-name="${name}"]`);
    await see.attribute(row, 'data-upload-state', 'retrying', 30_000);
    const bar = row.getByRole('progressbar');
    const stuckAt = Number(await bar.getAttribute('aria-valuenow'));
    expect(stuckAt).toBeGreaterThan(0);
    expect(stuckAt).toBeLessThan(100);
    await screenshot(page, 'upload-interrupted');
    await expectAccessible(page, 'an interrupted upload');
    // Back online: the next retry goes on from the server's offset.
    await page.unroute('**/api/uploads/**');
    await see.attribute(row, 'data-upload-state', 'committed', 60_000);
    expect(first.offsets[0]).toBe(0);
    await see.visible(page.getByRole('table', { name: /Files of this routing/ }).getByRole('rowheader', { name: new RegExp(name) }));

    // 2. Across a reload: cut off again, reload, pick the same file again.
    const second = path.join(files, `second-${name}`);
    fs.copyFileSync(big, second);
    const secondName = path.basename(second);
    const cut = await cutOff(page, 1);
    await page.getByLabel('Choose files to upload').setInputFiles(second);
    const secondRow = page.locator(`[data-upload-name="${secondName}"]`);
    await see.attribute(secondRow, 'data-upload-state', 'retrying', 30_000);
    expect(cut.patches).toBe(1);
    await page.unroute('**/api/uploads/**');
    await page.reload();
    await see.visible(page.getByRole('heading', { level: 1, name: new RegExp(routing.code) }));
    const resumed: number[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH' && request.url().includes('/api/uploads/')) {
        resumed.push(Number(request.headers()['upload-offset']));
      }
    });
    await page.getByLabel('Choose files to upload').setInputFiles(second);
    const again = page.locator(`[data-upload-name="${secondName}"]`);
    await see.attribute(again, 'data-resumed-from', /^[1-9]\d*$/, 30_000);
    await see.text(again.getByRole('status'), /Resuming from \d+ %|Uploaded and stored/);
    await screenshot(page, 'upload-resumed-after-reload');
    await see.attribute(again, 'data-upload-state', 'committed', 60_000);
    expect(resumed[0]).toBeGreaterThan(0); // not from the start
    await see.visible(page.getByRole('table', { name: /Files of this routing/ }).getByRole('rowheader', { name: new RegExp(secondName) }));
  });
});

afterAll(() => {
  // The upload tests cut connections on purpose (ERR_CONNECTION_RESET); anything else is worth a look.
  const unexpected = pageErrors.filter((line) => !line.includes('ERR_CONNECTION_RESET'));
  if (unexpected.length) console.warn(`page errors during the scenario:\n${unexpected.join('\n')}`);
});
