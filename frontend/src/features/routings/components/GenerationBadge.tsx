import type { GenerationStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';

const TONE: Record<GenerationStatus, string> = {
  NONE: 'neutral',
  QUEUED: 'pending',
  RUNNING: 'pending',
  SUCCEEDED: 'success',
  FAILED: 'danger',
};

/**
 * The latest CAM generation's state ("Generation: Succeeded"), separate from
 * approval. A polite live region, so a change is announced as it arrives.
 */
export function GenerationBadge({ status }: { status: GenerationStatus }) {
  const { t } = useI18n();
  return (
    <span
      className={`badge badge--${TONE[status] ?? 'neutral'}`}
      data-generation-status={status}
      role="status"
    >
      {t(`routing.generation.${status}`)}
    </span>
  );
}
