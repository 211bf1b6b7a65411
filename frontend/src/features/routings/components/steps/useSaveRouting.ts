import { useState } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { graphql } from '@/gql';
import type { UpdateRoutingInput, WorkspaceRoutingFieldsFragment } from '@/gql/graphql';
import { errorCode } from '@/lib/graphql-client';

export const WorkspaceSaveRoutingMutation = graphql(`
  mutation WorkspaceSaveRouting($id: ID!, $input: UpdateRoutingInput!, $expectedVersion: Int!) {
    updateRouting(id: $id, input: $input, expectedVersion: $expectedVersion) {
      ...WorkspaceRoutingFields
    }
  }
`);

export type SaveError = { kind: 'conflict' | 'forbidden' | 'invalid' | 'network' | 'generic'; message: string };

function classify(error: CombinedError): SaveError {
  const message = error.graphQLErrors[0]?.message ?? error.message;
  switch (errorCode(error)) {
    case 'CONFLICT':
      return { kind: 'conflict', message };
    case 'FORBIDDEN':
      return { kind: 'forbidden', message };
    case 'INVALID_ARGUMENT':
      return { kind: 'invalid', message };
  }
  if (error.networkError) return { kind: 'network', message };
  return { kind: 'generic', message };
}

interface SaveCallbacks {
  // Called synchronously with the state reset so React batches them into one render
  // (awaiting the result instead would flash a "saved but still dirty" state).
  onSaved(saved: WorkspaceRoutingFieldsFragment): void;
  onConflict(): void;
}

/** Saves with optimistic concurrency: the server refuses with CONFLICT if `expectedVersion` is stale. */
export function useSaveRouting(routingId: string, { onSaved, onConflict }: SaveCallbacks) {
  const [, updateRouting] = useMutation(WorkspaceSaveRoutingMutation);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<SaveError | null>(null);

  async function save(expectedVersion: number, input: UpdateRoutingInput) {
    setSaving(true);
    setSaveError(null);
    const result = await updateRouting({ id: routingId, input, expectedVersion });
    setSaving(false);
    const saved = result.data?.updateRouting;
    if (result.error || !saved) {
      if (result.error) {
        const error = classify(result.error);
        setSaveError(error);
        if (error.kind === 'conflict') onConflict();
      }
      return;
    }
    onSaved(saved);
  }

  return { saving, saveError, clearSaveError: () => setSaveError(null), save };
}
