// Placeholder until this feature lands; replaced by its real implementation.
export interface RoutingJobsTabProps {
  routingId: string;
  routingOwnerId: string;
}

export function RoutingJobsTab(_props: RoutingJobsTabProps) {
  return null;
}
