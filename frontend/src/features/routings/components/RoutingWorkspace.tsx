// Placeholder until the workspace lands: the read-only routing page, tabs ignored.
import type { ReactNode } from 'react';
import { RoutingPage } from './RoutingPage';

/** What the workspace hands to the tabs that other features provide. */
export interface WorkspaceTabContext {
  routingId: string;
  ownerId: string;
  /** Whether the signed-in user may edit (and upload to) the routing now. */
  canEdit: boolean;
}

export interface RoutingWorkspaceProps {
  renderFiles(context: WorkspaceTabContext): ReactNode;
  renderAddin(context: WorkspaceTabContext): ReactNode;
}

export function RoutingWorkspace(_props: RoutingWorkspaceProps) {
  return <RoutingPage />;
}
