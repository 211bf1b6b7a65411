import { useEffect, useRef } from 'react';
import { stepFieldId } from './stepsText';

export type FocusRequest = { key: string; target: 'name' | 'up' | 'down' | 'add' } | null;

/**
 * Moves focus after a step is added, moved or removed. The element to focus only exists
 * (or is only in its new place) after React renders, so the request waits for the next commit.
 */
export function useStepFocus(formId: string) {
  const request = useRef<FocusRequest>(null);
  const addButton = useRef<HTMLButtonElement>(null);

  // No dependency list: any render may be the one that fulfils the request.
  useEffect(() => {
    const wanted = request.current;
    if (!wanted) return;
    request.current = null;
    if (wanted.target === 'add') {
      addButton.current?.focus();
      return;
    }
    const element = document.getElementById(stepFieldId(formId, wanted.key, wanted.target));
    const other = document.getElementById(stepFieldId(formId, wanted.key, wanted.target === 'up' ? 'down' : 'up'));
    // A step moved to the top or bottom has its button disabled: keep focus on the step's other move button.
    const target = element instanceof HTMLButtonElement && element.disabled ? other : element;
    target?.focus();
  });

  return {
    addButton,
    requestFocus(next: FocusRequest) {
      request.current = next;
    },
  };
}
