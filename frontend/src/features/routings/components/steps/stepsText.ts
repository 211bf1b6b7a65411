// The strings for fields, problems and concurrent changes live in one place so the
// inline errors, the error summary and the conflict list always name a field alike.
import type { WorkspaceRoutingFieldsFragment } from '@/gql/graphql';
import type { MessageKey, Translate } from '@/i18n';
import type { Change, DraftStep, Problem } from '../../draft';

export type StepTextField = 'name' | 'workCenter' | 'machine' | 'setupMinutes' | 'cycleMinutes' | 'description' | 'toolingNotes';

export const FIELD_LABEL: Record<StepTextField, MessageKey> = {
  name: 'steps.field.name',
  workCenter: 'steps.field.workCenter',
  machine: 'steps.field.machine',
  setupMinutes: 'steps.field.setupMinutes',
  cycleMinutes: 'steps.field.cycleMinutes',
  description: 'steps.field.description',
  toolingNotes: 'steps.field.toolingNotes',
};

export const PROBLEM_TEXT: Record<Problem['kind'], MessageKey> = {
  titleRequired: 'steps.error.titleRequired',
  nameRequired: 'steps.error.nameRequired',
  minutes: 'steps.error.minutes',
  parameterName: 'steps.error.parameterName',
  parameterDuplicate: 'steps.error.parameterDuplicate',
  tooManySteps: 'steps.error.tooManySteps',
};

/** The key under which a field looks up its own problem in the validation result. */
export function problemKey(step: number | undefined, field: string | undefined, parameter?: number): string {
  return `${step ?? ''}:${field ?? ''}:${parameter ?? ''}`;
}

/** A problem as the error summary lists it: with the step and field it is about. */
export function problemText(problem: Problem, t: Translate): string {
  const message = t(PROBLEM_TEXT[problem.kind]);
  if (problem.field === 'title') return t('steps.error.whereTitle', { message });
  if (problem.step === undefined) return message;
  const field =
    problem.field === 'parameter'
      ? t('steps.field.parameterName')
      : t(FIELD_LABEL[(problem.field ?? 'name') as StepTextField]);
  return t('steps.error.where', { n: problem.step + 1, field, message });
}

export function describeChange(change: Change, t: Translate): string {
  switch (change.kind) {
    case 'title':
      return t('steps.conflict.change.title', { title: change.title });
    case 'description':
      return t('steps.conflict.change.description');
    case 'status':
      return t('steps.conflict.change.status', {
        status: t(`status.${change.status as WorkspaceRoutingFieldsFragment['status']}`),
      });
    case 'stepAdded':
      return t('steps.conflict.change.stepAdded', { name: change.name });
    case 'stepRemoved':
      return t('steps.conflict.change.stepRemoved', { name: change.name });
    case 'stepChanged': {
      const labels = change.fields.map((field) =>
        field === 'parameters' ? t('steps.parameters') : t(FIELD_LABEL[field as StepTextField]),
      );
      return t('steps.conflict.change.stepChanged', { name: change.name, fields: labels.join(', ') });
    }
    case 'reordered':
      return t('steps.conflict.change.reordered');
  }
}

/** Ids are derived from the form's id and the step's stable key, so focus can find a field after a reorder. */
export function stepFieldId(formId: string, stepKey: string, field: string): string {
  return `${formId}-${stepKey}-${field}`;
}

export function stepName(step: DraftStep, t: Translate): string {
  return step.name.trim() || t('steps.unnamed');
}
