import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { RoutingStatus } from '@/gql/graphql';
import { StatusBadge } from './StatusBadge';

describe('StatusBadge', () => {
  it.each<[RoutingStatus, string, string]>([
    ['DRAFT', 'Draft', 'badge--neutral'],
    ['PENDING_APPROVAL', 'Pending approval', 'badge--pending'],
    ['APPROVED', 'Approved', 'badge--success'],
    ['REJECTED', 'Rejected', 'badge--danger'],
  ])('shows %s as "%s" in words and colour', (status, label, tone) => {
    const { container } = render(<StatusBadge status={status} />);
    const badge = container.querySelector('.badge');
    expect(badge).not.toBeNull();
    expect(badge?.classList.contains(tone)).toBe(true);
    expect(badge?.getAttribute('data-status')).toBe(status);
    // Screen readers hear "Status: Approved"; everyone sees the label.
    expect(badge?.textContent).toBe(`Status: ${label}`);
    expect(screen.getByText(label)).toBeTruthy();
  });
});
