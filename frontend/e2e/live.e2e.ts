// The live connection's health: the banner when the server goes away and its
// disappearance once the server is back (automatic reconnection with backoff),
// and the SSE fallback when WebSocket never gets through, with live events
// still arriving.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, createRouting } from './support/api';
import { recordFigure, screenshot } from './support/artifacts';
import { expectAccessible } from './support/axe';
import { launchBrowser, openPage, signedInContext, watchConsole } from './support/browser';
import * as see from './support/expect';
import { ARTIFACTS_DIR } from './support/paths';
import { McmsServer, USERS } from './support/server';
import { eventually } from './support/wait';

const baseUrl = inject('baseUrl');
const agentToken = inject('agentToken');
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Counts graphql-ws `connection_ack`s the page receives: one per (re)connection over WebSocket. */
function countAcks(page: Page): { acks: number } {
  const seen = { acks: 0 };
  page.on('websocket', (socket) => {
    if (!socket.url().endsWith('/graphql')) return;
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string' && payload.includes('"connection_ack"')) seen.acks += 1;
    });
  });
  return seen;
}

describe('live connection', () => {
  it('shows the banner when the server dies, hides it once the restarted server is back, and shows what changed meanwhile', async () => {
    // A server of its own: this test kills it.
    const server = await McmsServer.create('connection');
    server.createUser(USERS.engineer);
    server.createUser(USERS.approver);
    await server.start();
    const engineerApi = await Api.signIn(server.url, USERS.engineer.username, USERS.engineer.password);
    const routing = await createRouting(engineerApi, 'CONN', true);
    const context = await signedInContext(browser, server.url, USERS.engineer);
    const errors: string[] = [];
    try {
      const page = await context.newPage();
      watchConsole(page, errors);
      const socket = countAcks(page);
      await openPage(page, `/routings/${routing.routingId}/approval`, new RegExp(routing.code));
      await eventually(() => socket.acks >= 1, 'the live connection over WebSocket');
      const banner = page.getByTestId('connection-banner');
      await see.gone(banner);
      const status = page.locator('header [data-status]').first();
      await see.attribute(status, 'data-status', 'PENDING_APPROVAL');

      await server.kill();
      const killedAt = Date.now();
      await see.visible(banner);
      const bannerAfterMs = Date.now() - killedAt;
      expect(await banner.getAttribute('role')).toBe('alert');
      await see.text(banner.locator('strong'), 'Live updates are interrupted.');
      await see.visible(banner.getByRole('button', { name: 'Reconnect now' }));
      await screenshot(page, 'connection-banner');
      // The banner itself (the pages have their own axe tests).
      await expectAccessible(page, 'the connection banner', ['[data-testid="connection-banner"]']);

      await server.start();
      const restartedAt = Date.now();
      // Someone decides while this page is still cut off (or just reconnecting).
      const approverApi = await Api.signIn(server.url, USERS.approver.username, USERS.approver.password);
      await approverApi.gql(`mutation($id: ID!) { approveRouting(id: $id) { id } }`, { id: routing.routingId });
      // Backoff 1 s, 2 s, 4 s … (±20 %): the next attempt comes by itself.
      await see.gone(banner, 25_000);
      const recoveredAfterMs = Date.now() - restartedAt;
      await eventually(() => socket.acks >= 2, 'a new WebSocket connection after the restart');
      await see.gone(page.getByTestId('live-fallback'));
      // Nothing stale once reconnected: the approval made meanwhile is shown, without a reload.
      await see.attribute(status, 'data-status', 'APPROVED');
      recordFigure('reconnection', {
        what: 'server SIGKILLed → banner shown; server restarted → banner gone (automatic, backoff)',
        bannerShownAfterKillMs: bannerAfterMs,
        bannerGoneAfterRestartMs: recoveredAfterMs,
      });
    } catch (error) {
      throw new Error(`${String(error)}\npage errors:\n${errors.join('\n')}\nserver log:\n${server.logTail(2000)}`, {
        cause: error,
      });
    } finally {
      await context.close();
      await server.dispose(path.join(ARTIFACTS_DIR, 'logs'));
    }
  });

  it('raises an alert after five failed reconnection attempts, and reconnects at once with "Reconnect now"', async () => {
    const server = await McmsServer.create('alert');
    server.createUser(USERS.engineer);
    await server.start();
    const context = await signedInContext(browser, server.url, USERS.engineer);
    try {
      const page = await context.newPage();
      const socket = countAcks(page);
      await openPage(page, '/', 'Explorer');
      await eventually(() => socket.acks >= 1, 'the live connection over WebSocket');
      const toasts = page.getByRole('region', { name: 'Notifications' });

      await server.kill();
      const banner = page.getByTestId('connection-banner');
      await see.visible(banner);
      // Backoff 1 + 2 + 4 + 8 s (±20 %) until the fifth failure.
      await see.visible(toasts.getByText('Live updates unavailable'), 30_000);
      await see.text(banner, /attempt 5 failed/, 5_000);
      await screenshot(page, 'connection-alert-after-five-failures');

      await server.start();
      // The next automatic attempt is 16 s away; the button does not wait.
      await banner.getByRole('button', { name: 'Reconnect now' }).click();
      await see.gone(banner, 10_000);
      await see.visible(toasts.getByText('Live updates restored.'));
      await eventually(() => socket.acks >= 2, 'a new WebSocket connection');
    } finally {
      await context.close();
      await server.dispose(path.join(ARTIFACTS_DIR, 'logs'));
    }
  });

  it('switches to the SSE fallback when WebSocket is blocked, and live events still arrive', async () => {
    const engineer = await Api.signIn(baseUrl, USERS.engineer.username, USERS.engineer.password);
    const approver = await Api.signIn(baseUrl, USERS.approver.username, USERS.approver.password);
    const agent = Api.withToken(baseUrl, agentToken);
    const routing = await createRouting(engineer, 'SSE', true);

    const context = await signedInContext(browser, baseUrl, USERS.engineer);
    try {
      let blocked = 0;
      await context.routeWebSocket(/\/graphql/, (socket) => {
        blocked += 1;
        void socket.close();
      });
      const page = await context.newPage();
      const streams: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/events/')) streams.push(new URL(request.url()).pathname);
      });
      await openPage(page, `/routings/${routing.routingId}/approval`, new RegExp(routing.code));
      await see.visible(page.getByTestId('live-fallback'), 20_000);
      await see.gone(page.getByTestId('connection-banner'));
      expect(blocked).toBeGreaterThanOrEqual(1);
      expect(streams).toEqual(expect.arrayContaining(['/events/updates', '/events/alerts']));
      await screenshot(page, 'live-sse-fallback');

      // Someone else acts: the approver approves (the page follows), the add-in
      // takes the job and fails it (the owner gets an alert, shown as a toast).
      const status = page.locator('header [data-status]').first();
      await see.attribute(status, 'data-status', 'PENDING_APPROVAL');
      const approvedAt = Date.now();
      await approver.gql(`mutation($id: ID!) { approveRouting(id: $id) { id } }`, { id: routing.routingId });
      await see.attribute(status, 'data-status', 'APPROVED');
      const approvalShownMs = Date.now() - approvedAt;
      type Claimed = { jobId: string; routingId: string; leaseToken: string };
      const job = await eventually(
        async () => {
          const claim = await agent.rest('POST', '/api/addin/jobs/claim?wait=10', { agentId: 'e2e-sse', capabilities: {} });
          if (claim.status !== 200) return null;
          const claimed = claim.body as Claimed;
          if (claimed.routingId === routing.routingId) return claimed;
          // A job an earlier (failed) test left queued: out of the way.
          await agent.rest('POST', `/api/addin/jobs/${claimed.jobId}/complete`, {
            resultStatus: 'failed',
            message: 'E2E: left over by an earlier test',
            leaseToken: claimed.leaseToken,
            outputs: [],
          });
          return null;
        },
        'to claim the routing\'s job',
        { timeoutMs: 30_000 },
      );
      const failedAt = Date.now();
      const done = await agent.rest('POST', `/api/addin/jobs/${job.jobId}/complete`, {
        resultStatus: 'failed',
        message: 'E2E: generator exited with code 3',
        leaseToken: job.leaseToken,
        outputs: [],
      });
      expect(done.status).toBe(200);
      const toasts = page.getByRole('region', { name: 'Notifications' });
      await see.visible(toasts.getByText(`Generation failed for routing ${routing.routingId}`));
      const toastMs = Date.now() - failedAt;
      await see.attribute(page.locator('[data-generation-status]').first(), 'data-generation-status', 'FAILED');
      recordFigure('sseFallback', {
        what: 'over the SSE fallback, from the API call returning to the page showing it (upper bound: includes the 50 ms polling of the test)',
        approvalShownMs,
        failureAlertToastMs: toastMs,
      });
      await screenshot(page, 'live-sse-alert-toast');
    } finally {
      await context.close();
    }
  });
});
