// Placeholder until this feature lands; replaced by its real implementation.

export function ApprovalsInboxPage() {
  return null;
}
