import type { GenerationStatus } from '@/gql/graphql';

/** The badge tone (`badge--<tone>` in app.css) of each CAM generation state. */
export const GENERATION_TONE: Record<GenerationStatus, 'neutral' | 'pending' | 'success' | 'danger'> = {
  NONE: 'neutral',
  QUEUED: 'pending',
  RUNNING: 'pending',
  SUCCEEDED: 'success',
  FAILED: 'danger',
};
