import { useState, type DragEvent } from 'react';
import { useI18n } from '@/i18n';
import { moveItem, type Draft } from '../../draft';
import { stepName } from './stepsText';
import type { FocusRequest } from './useStepFocus';

export type DropTarget = { index: number; after: boolean };

interface ReorderOptions {
  draft: Draft;
  setDraft(update: (draft: Draft) => Draft): void;
  requestFocus(request: FocusRequest): void;
  /** Tells screen-reader users where the step went (drag and drop gives them no other feedback). */
  announce(message: string): void;
}

/**
 * Reordering of steps, by the Move up / Move down buttons (keyboard) and by drag and drop
 * (pointer); both end in the same `move` so they announce and behave alike.
 */
export function useStepReorder({ draft, setDraft, requestFocus, announce }: ReorderOptions) {
  const { t } = useI18n();
  const [dragging, setDragging] = useState<number | null>(null);
  const [dropTarget, setDropTarget] = useState<DropTarget | null>(null);

  function move(from: number, to: number, focus: 'up' | 'down' | null) {
    const step = draft.steps[from];
    if (!step || to < 0 || to >= draft.steps.length || to === from) return;
    setDraft((current) => ({ ...current, steps: moveItem(current.steps, from, to) }));
    if (focus) requestFocus({ key: step.key, target: focus });
    announce(t('steps.announce.moved', { name: stepName(step, t), position: to + 1, count: draft.steps.length }));
  }

  function onDragStart(event: DragEvent<HTMLElement>, index: number) {
    setDragging(index);
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', String(index));
      // The handle is tiny: show the whole card being dragged.
      const card = event.currentTarget.closest('li');
      if (card) event.dataTransfer.setDragImage(card, 16, 16);
    }
  }

  /** Whether a drop on card `index` goes after it (the pointer is in its lower half). */
  function dropsAfter(event: DragEvent<HTMLLIElement>, index: number): boolean {
    const rect = event.currentTarget.getBoundingClientRect();
    if (Number.isFinite(event.clientY) && rect.height > 0) return event.clientY >= rect.top + rect.height / 2;
    // No geometry: the dragged step takes the target's place.
    return dragging !== null && dragging < index;
  }

  function onDragOver(event: DragEvent<HTMLLIElement>, index: number) {
    if (dragging === null) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    const after = dropsAfter(event, index);
    if (dropTarget?.index !== index || dropTarget.after !== after) setDropTarget({ index, after });
  }

  function onDrop(event: DragEvent<HTMLLIElement>, index: number) {
    event.preventDefault();
    const from = dragging;
    const after = dropsAfter(event, index);
    setDragging(null);
    setDropTarget(null);
    if (from === null) return;
    let to = after ? index + 1 : index;
    // Taking the step out first shifts every later card up by one.
    if (from < to) to -= 1;
    move(from, to, null);
  }

  function onDragEnd() {
    setDragging(null);
    setDropTarget(null);
  }

  return { dragging, dropTarget, move, onDragStart, onDragOver, onDrop, onDragEnd };
}
