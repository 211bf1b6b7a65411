// The routing workspace, composed here because its Files and Add-in tabs come
// from other features (features never import each other).
import { RoutingJobsTab } from '@/features/addin/components/RoutingJobsTab';
import { FilesTab } from '@/features/files/components/FilesTab';
import { RoutingWorkspace } from '@/features/routings/components/RoutingWorkspace';

export function RoutingRoute() {
  return (
    <RoutingWorkspace
      renderFiles={(routing) => <FilesTab routingId={routing.routingId} canUpload={routing.canEdit} />}
      renderAddin={(routing) => <RoutingJobsTab routingId={routing.routingId} routingOwnerId={routing.ownerId} />}
    />
  );
}
