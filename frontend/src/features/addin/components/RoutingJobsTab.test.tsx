import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeLive } from '@/testing/fakeLive';
import { fakeServer, graphQLError } from '@/testing/fakeServer';
import { users, type TestUser } from '@/testing/fixtures';
import { renderPage } from '@/testing/render';
import { job, jobsAnswer, output } from '../testing/jobs';
import { RoutingJobsTab } from './RoutingJobsTab';

afterEach(() => vi.unstubAllGlobals());

function setup(user: TestUser, jobs: () => unknown[], extra: Record<string, (v: Record<string, unknown>) => unknown> = {}) {
  const server = fakeServer(user, { AddinJobsPage: () => jobsAnswer(jobs()), ...extra });
  const live = fakeLive({ openAtOnce: true });
  renderPage(<RoutingJobsTab routingId="9" routingOwnerId="1" />, live);
  return { server, live };
}

function card(id: string): HTMLElement {
  return screen.getByRole('article', { name: `Job ${id}` });
}

/** The job's status badge: its words (with the screen-reader prefix) and its attribute. */
function badge(id: string): { text: string | null; status: string | null } {
  const element = card(id).querySelector('[data-job-status].badge');
  return { text: element?.textContent ?? null, status: element?.getAttribute('data-job-status') ?? null };
}

describe('RoutingJobsTab', () => {
  it("lists the routing's jobs newest first with badges, parameters and outputs", async () => {
    const { server } = setup(users.engineer, () => [
      job({
        id: '12',
        status: 'COMPLETED',
        outputs: [output('O1234.nc', 1536, { id: '70' }), output('setup.pdf', 10, null)],
      }),
      job({ id: '11', status: 'FAILED', message: 'Post-processor crashed' }),
    ]);
    expect(await screen.findByRole('heading', { level: 2, name: 'Add-in jobs' })).toBeTruthy();
    const articles = await screen.findAllByRole('article');
    expect(articles.map((a) => a.getAttribute('data-job-id'))).toEqual(['12', '11']);
    expect(server.callsOf('AddinJobsPage')[0]?.variables).toMatchObject({ routingId: '9', status: null, after: null });

    const done = card('12');
    expect(badge('12')).toEqual({ text: 'Job status: Completed', status: 'COMPLETED' });
    expect(badge('11')).toEqual({ text: 'Job status: Failed', status: 'FAILED' });
    expect(within(done).getByText('postprocessor')).toBeTruthy();
    expect(within(done).getByText('fanuc-31i')).toBeTruthy();
    const download = within(done).getByRole('link', { name: 'Download O1234.nc' });
    expect(download.getAttribute('href')).toBe('/api/files/70/content');
    expect(within(done).getByText('1.5 kB')).toBeTruthy();
    expect(within(done).getByText('not uploaded')).toBeTruthy();
    expect(within(done).getByRole('link', { name: 'Files of R-100' }).getAttribute('href')).toBe('/routings/9/files');

    const failed = card('11');
    expect(within(failed).getByText('Failure reason: The add-in reported a failure')).toBeTruthy();
    expect(within(failed).getByText('Post-processor crashed')).toBeTruthy();
  });

  it('turns the badge live on an event for this routing, and ignores other routings', async () => {
    let status: 'RUNNING' | 'COMPLETED' = 'RUNNING';
    const { server, live } = setup(users.engineer, () => [job({ id: '12', status })]);
    await screen.findByRole('article', { name: 'Job 12' });
    expect(badge('12')).toEqual({ text: 'Job status: Running', status: 'RUNNING' });
    const before = server.callsOf('AddinJobsPage').length;

    live.emit('addin.job.updated', { jobId: '99', routingId: '55', status: 'COMPLETED', updatedAt: '2030-01-01T10:03:00Z' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(server.callsOf('AddinJobsPage').length).toBe(before);

    status = 'COMPLETED';
    live.emit('addin.job.updated', { jobId: '12', routingId: '9', status: 'COMPLETED', updatedAt: '2030-01-01T10:03:00Z' });
    await waitFor(() => expect(badge('12')).toEqual({ text: 'Job status: Completed', status: 'COMPLETED' }));
    expect(await screen.findByText('Job 12: Completed')).toBeTruthy();
    expect(screen.getByText('Job 12: Completed').getAttribute('role')).toBe('status');
  });

  it('offers Retry to the owner and sends the job id', async () => {
    const { server } = setup(users.engineer, () => [job({ id: '11', status: 'FAILED' })], {
      AddinRetryJob: () => ({ data: { retryAddinJob: job({ id: '13', status: 'QUEUED' }) } }),
    });
    const retry = await screen.findByRole('button', { name: 'Retry job 11 (R-100)' });
    expect(screen.queryByRole('button', { name: /Cancel job/ })).toBeNull();
    fireEvent.click(retry);
    await waitFor(() => expect(server.callsOf('AddinRetryJob')).toHaveLength(1));
    expect(server.callsOf('AddinRetryJob')[0]?.variables).toEqual({ id: '11' });
    expect(await screen.findByText('Job 11 (R-100) queued again as job 13')).toBeTruthy();
  });

  it.each([
    ['another engineer', false, users.engineer2],
    ['an auditor', false, users.auditor],
    ['an approver', true, users.approver],
    ['an administrator', true, users.admin],
  ])('Retry and Cancel for %s: shown %s', async (_who, allowed, user) => {
    setup(user, () => [job({ id: '12', status: 'RUNNING' }), job({ id: '11', status: 'CANCELLED' })]);
    await screen.findAllByRole('article');
    expect(screen.queryByRole('button', { name: 'Cancel job 12 (R-100)' }) !== null).toBe(allowed);
    expect(screen.queryByRole('button', { name: 'Retry job 11 (R-100)' }) !== null).toBe(allowed);
  });

  it('cancels only after the confirmation, and shows a refusal in the dialog', async () => {
    let answer: unknown = graphQLError('CONFLICT', 'Job 12 is already COMPLETED.');
    const { server } = setup(users.approver, () => [job({ id: '12', status: 'QUEUED' })], {
      AddinCancelJob: () => answer,
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel job 12 (R-100)' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel job 12 (R-100)?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'No, keep it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(server.callsOf('AddinCancelJob')).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Cancel job 12 (R-100)' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Yes, cancel the job' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Its state changed meanwhile');
    expect(server.callsOf('AddinCancelJob')[0]?.variables).toEqual({ id: '12' });

    answer = { data: { cancelAddinJob: job({ id: '12', status: 'CANCELLED' }) } };
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Yes, cancel the job' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(server.callsOf('AddinCancelJob')).toHaveLength(2);
    expect(await screen.findByText('Job 12 (R-100) cancelled')).toBeTruthy();
  });

  it('says so when the routing has no job yet', async () => {
    setup(users.engineer, () => []);
    expect(await screen.findByText('No generation job yet: one is queued when the routing is approved.')).toBeTruthy();
  });
});
