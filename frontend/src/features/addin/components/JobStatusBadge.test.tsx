import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AddinJobStatus } from '@/gql/graphql';
import { JobStatusBadge } from './JobStatusBadge';

describe('JobStatusBadge', () => {
  it.each<[AddinJobStatus, string, string]>([
    ['QUEUED', 'Queued', 'badge--neutral'],
    ['RUNNING', 'Running', 'badge--pending'],
    ['COMPLETED', 'Completed', 'badge--success'],
    ['FAILED', 'Failed', 'badge--danger'],
    ['CANCELLED', 'Cancelled', 'badge--neutral'],
  ])('shows %s as "Job status: %s", in words and colour', (status, label, tone) => {
    const { container } = render(<JobStatusBadge status={status} />);
    const badge = container.querySelector('[data-job-status]');
    expect(badge?.getAttribute('data-job-status')).toBe(status);
    expect(badge?.classList.contains(tone)).toBe(true);
    expect(badge?.textContent).toBe(`Job status: ${label}`);
  });
});
