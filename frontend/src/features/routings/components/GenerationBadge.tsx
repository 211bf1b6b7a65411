import type { GenerationStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { GENERATION_TONE } from '@/lib/generation';

/**
 * The latest CAM generation's state ("Generation: Succeeded"), separate from
 * approval. A polite live region, so a change is announced as it arrives.
 */
export function GenerationBadge({ status }: { status: GenerationStatus }) {
  const { t } = useI18n();
  return (
    <span
      className={`badge badge--${GENERATION_TONE[status] ?? 'neutral'}`}
      data-generation-status={status}
      role="status"
    >
      {t(`routing.generation.${status}`)}
    </span>
  );
}
