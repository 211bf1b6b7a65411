// Every page, as the role that uses it: a screenshot of each, and axe-core
// reporting 0 serious or critical violations on each.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, createRouting, type CreatedRouting } from './support/api';
import { screenshot } from './support/artifacts';
import { expectAccessible } from './support/axe';
import { launchBrowser, requestsOutsideTheServer, settled, signedInContext } from './support/browser';
import * as see from './support/expect';
import { USERS, type E2eUser } from './support/server';

const baseUrl = inject('baseUrl');
let browser: Browser;
let pending: CreatedRouting;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  const engineer = await Api.signIn(baseUrl, USERS.engineer.username, USERS.engineer.password);
  pending = await createRouting(engineer, 'PAGES', true);
});
afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
  await browser?.close();
});

async function pageAs(user: E2eUser): Promise<Page> {
  const context = await signedInContext(browser, baseUrl, user);
  contexts.push(context);
  return await context.newPage();
}

/** Opens `path`, waits for its h1 and for loading to end, screenshots it, runs axe. */
async function check(page: Page, path: string, heading: string | RegExp, name: string): Promise<void> {
  await page.goto(path);
  await see.visible(page.getByRole('heading', { level: 1, name: heading }));
  await settled(page);
  await screenshot(page, name);
  await expectAccessible(page, `${name} (${path})`);
}

describe('every page passes axe', () => {
  it('routing workspace, each tab (engineer, owner)', async () => {
    const page = await pageAs(USERS.engineer);
    for (const tab of ['steps', 'files', 'approval', 'addin']) {
      await check(page, `/routings/${pending.routingId}/${tab}`, new RegExp(pending.code), `workspace-${tab}`);
    }
  });

  it('routing workspace, approval tab (approver, deciding)', async () => {
    const page = await pageAs(USERS.approver);
    await check(page, `/routings/${pending.routingId}/approval`, new RegExp(pending.code), 'workspace-approval-approver');
  });

  it('approvals inbox (approver)', async () => {
    const page = await pageAs(USERS.approver);
    await check(page, '/approvals', /Approvals/, 'approvals');
    await see.visible(page.getByRole('link', { name: new RegExp(pending.code) }));
    // The inbox's own decision dialog: a reason is required to reject.
    await page.getByRole('button', { name: `Reject ${pending.code}` }).click();
    const dialog = page.getByRole('dialog', { name: `Reject ${pending.code}?` });
    await see.visible(dialog);
    await dialog.getByRole('button', { name: 'Confirm rejection' }).click();
    await see.visible(dialog.getByRole('alert').getByText('Give a reason: the owner needs it to fix the routing.'));
    await screenshot(page, 'approvals-reject-dialog');
    await expectAccessible(page, 'the inbox rejection dialog with its error');
    await dialog.getByRole('button', { name: 'Go back' }).click();
    await see.gone(dialog);
  });

  it('add-in control panel (engineer and administrator)', async () => {
    await check(await pageAs(USERS.engineer), '/addin', 'Add-in control panel', 'addin-panel-engineer');
    await check(await pageAs(USERS.admin), '/addin', 'Add-in control panel', 'addin-panel-admin');
  });

  it('administration, each section (administrator), and refused to an engineer', async () => {
    const page = await pageAs(USERS.admin);
    for (const section of ['users', 'tokens', 'addin-keys', 'parameters']) {
      await check(page, `/admin/${section}`, 'Administration', `admin-${section}`);
    }
    const engineer = await pageAs(USERS.engineer);
    await check(engineer, '/admin', 'Administration', 'admin-refused-engineer');
    await see.visible(engineer.getByRole('alert').getByText('Administrators only'));
  });

  it('explorer and alerts (approver), not-found page', async () => {
    const page = await pageAs(USERS.approver);
    await check(page, '/', 'Explorer', 'explorer-approver');
    await check(page, '/alerts', 'Alerts', 'alerts-approver');
    await check(page, '/no-such-page', 'Page not found', 'not-found');
  });

  it('fetched nothing from outside the server on any of these pages', () => {
    // Runs last in this file: every page above was visited in a context that records requests.
    expect(requestsOutsideTheServer()).toEqual([]);
  });
});
