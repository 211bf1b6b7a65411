// Placeholder until this feature lands; replaced by its real implementation.
export interface FilesTabProps {
  routingId: string;
  /** Whether the signed-in user may upload to this routing now. */
  canUpload: boolean;
}

export function FilesTab(_props: FilesTabProps) {
  return null;
}
