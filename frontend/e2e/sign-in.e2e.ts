// Sign-in (wrong password, then right), the explorer, the alerts page: each
// screenshotted and checked by axe.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { Api, createRouting } from './support/api';
import { screenshot } from './support/artifacts';
import { expectAccessible } from './support/axe';
import { launchBrowser, newContext, openPage, signedInContext, submitSignIn } from './support/browser';
import * as see from './support/expect';
import { USERS } from './support/server';

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('sign-in', () => {
  it('refuses a wrong password, then signs in and lands on the explorer', async () => {
    const context = await newContext(browser, baseUrl);
    try {
      const page = await context.newPage();
      await page.goto('/');
      await see.url(page, /\/sign-in$/);
      await see.visible(page.getByRole('heading', { level: 1, name: 'Sign in to MCMS' }));
      await see.title(page, /MCMS/);
      await screenshot(page, 'sign-in');
      await expectAccessible(page, 'the sign-in page');

      await submitSignIn(page, USERS.engineer.username, 'not-the-password');
      await see.text(page.getByRole('alert'), 'The username or password is incorrect.');
      await see.value(page.getByLabel('Password'), '');
      await see.url(page, /\/sign-in$/);
      await screenshot(page, 'sign-in-wrong-password');
      await expectAccessible(page, 'the sign-in page with an error');

      await submitSignIn(page, USERS.engineer.username, USERS.engineer.password);
      await see.visible(page.getByRole('heading', { level: 1, name: 'Explorer' }));
      await see.url(page, `${baseUrl}/`);
      await see.visible(page.getByRole('navigation', { name: 'Main' }));
      await see.visible(page.getByRole('banner').getByText(USERS.engineer.displayName));
      // An engineer is not offered the administration or the approvals inbox.
      await see.gone(page.getByRole('link', { name: 'Administration' }));
      await see.gone(page.getByRole('link', { name: 'Approvals' }));

      await page.getByRole('button', { name: 'Sign out' }).click();
      await see.url(page, /\/sign-in$/);
    } finally {
      await context.close();
    }
  });
});

describe('explorer and alerts', () => {
  it('renders the tree with a new routing, and the alerts page; both pass axe', async () => {
    const api = await Api.signIn(baseUrl, USERS.engineer.username, USERS.engineer.password);
    const routing = await createRouting(api, 'EXPL');
    const context = await signedInContext(browser, baseUrl, USERS.engineer);
    try {
      const page = await context.newPage();
      await openPage(page, '/', 'Explorer');
      await see.visible(page.getByRole('link', { name: new RegExp(routing.code) }));
      await see.visible(page.getByRole('searchbox'));
      await screenshot(page, 'explorer');
      await expectAccessible(page, 'the explorer');

      await page.getByRole('link', { name: 'Alerts' }).click();
      await see.visible(page.getByRole('heading', { level: 1, name: 'Alerts' }));
      await see.gone(page.getByRole('status').filter({ hasText: 'Loading' }));
      await screenshot(page, 'alerts');
      await expectAccessible(page, 'the alerts page');
    } finally {
      await context.close();
    }
  });
});
