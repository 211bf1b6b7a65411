// The Steps tab's editable copy of a routing ("draft"), kept apart from what the
// server last said ("base"): dirty state, validation, the `updateRouting` input,
// and what someone else changed meanwhile. Pure functions, tested on their own.
import type { StepInput, UpdateRoutingInput } from '@/gql/graphql';

/** What the editor needs of a server routing (a subset of the workspace fragment). */
export interface EditableRouting {
  version: number;
  title: string;
  description: string;
  status: string;
  steps: readonly ServerStep[];
}

export interface ServerStep {
  id: string;
  name: string;
  workCenter: string;
  machine: string;
  description: string;
  setupMinutes: number;
  cycleMinutes: number;
  toolingNotes: string;
  parameters: readonly { key: string; value: string }[];
}

export interface DraftParameter {
  /** Client-side key for React lists. */
  key: string;
  name: string;
  value: string;
}

export interface DraftStep {
  /** Client-side key for React lists (the step's id, or a fresh one for a new step). */
  key: string;
  /** The server id of an existing step; null for a step added here. */
  id: string | null;
  name: string;
  workCenter: string;
  machine: string;
  description: string;
  /** As typed: validated and converted to a number on save. */
  setupMinutes: string;
  cycleMinutes: string;
  toolingNotes: string;
  parameters: DraftParameter[];
}

export interface Draft {
  title: string;
  description: string;
  steps: DraftStep[];
}

/** Operation numbers the server gives: 10, 20, 30 … by position. */
export const SEQUENCE_STEP = 10;
export const MAX_MINUTES = 100_000;
export const LIMITS = {
  title: 200,
  description: 10_000,
  stepName: 200,
  stepPlace: 100,
  stepText: 10_000,
  steps: 500,
  parameters: 100,
  parameterKey: 100,
  parameterValue: 2_000,
} as const;

let nextKey = 1;
function freshKey(prefix: string): string {
  nextKey += 1;
  return `${prefix}-${nextKey}`;
}

export function draftFromRouting(routing: EditableRouting): Draft {
  return {
    title: routing.title,
    description: routing.description,
    steps: routing.steps.map((step) => ({
      key: `step-${step.id}`,
      id: step.id,
      name: step.name,
      workCenter: step.workCenter,
      machine: step.machine,
      description: step.description,
      setupMinutes: String(step.setupMinutes),
      cycleMinutes: String(step.cycleMinutes),
      toolingNotes: step.toolingNotes,
      parameters: step.parameters.map((p) => ({ key: freshKey('param'), name: p.key, value: p.value })),
    })),
  };
}

export function newStep(): DraftStep {
  return {
    key: freshKey('new-step'),
    id: null,
    name: '',
    workCenter: '',
    machine: '',
    description: '',
    setupMinutes: '0',
    cycleMinutes: '0',
    toolingNotes: '',
    parameters: [],
  };
}

export function newParameter(): DraftParameter {
  return { key: freshKey('param'), name: '', value: '' };
}

/** Minutes as typed → a number (a decimal comma is accepted), or null if it is not one. */
export function parseMinutes(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '' || !/^[+]?(\d+\.?\d*|\.\d+)$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

function comparable(draft: Draft): string {
  const minutes = (text: string) => parseMinutes(text) ?? text;
  return JSON.stringify({
    title: draft.title,
    description: draft.description,
    steps: draft.steps.map((s) => [
      s.id,
      s.name,
      s.workCenter,
      s.machine,
      s.description,
      minutes(s.setupMinutes),
      minutes(s.cycleMinutes),
      s.toolingNotes,
      s.parameters.map((p) => [p.name, p.value]),
    ]),
  });
}

export function isDirty(draft: Draft, base: EditableRouting): boolean {
  return comparable(draft) !== comparable(draftFromRouting(base));
}

/** Moves the element at `from` to index `to` (both within the list). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const copy = [...list];
  const [moved] = copy.splice(from, 1);
  if (moved === undefined) return copy;
  copy.splice(Math.max(0, Math.min(to, copy.length)), 0, moved);
  return copy;
}

// --- validation ---------------------------------------------------------------

export type StepField = 'name' | 'setupMinutes' | 'cycleMinutes';
export type ProblemKind = 'titleRequired' | 'nameRequired' | 'minutes' | 'parameterName' | 'parameterDuplicate' | 'tooManySteps';

export interface Problem {
  kind: ProblemKind;
  /** Index of the step (for step problems). */
  step?: number;
  field?: StepField | 'title' | 'parameter';
  /** Index of the parameter within the step (for parameter problems). */
  parameter?: number;
}

export function validateDraft(draft: Draft): Problem[] {
  const problems: Problem[] = [];
  if (!draft.title.trim()) problems.push({ kind: 'titleRequired', field: 'title' });
  if (draft.steps.length > LIMITS.steps) problems.push({ kind: 'tooManySteps' });
  draft.steps.forEach((step, index) => {
    if (!step.name.trim()) problems.push({ kind: 'nameRequired', step: index, field: 'name' });
    for (const field of ['setupMinutes', 'cycleMinutes'] as const) {
      const value = parseMinutes(step[field]);
      if (value === null || value < 0 || value > MAX_MINUTES) problems.push({ kind: 'minutes', step: index, field });
    }
    const seen = new Set<string>();
    step.parameters.forEach((parameter, p) => {
      const name = parameter.name.trim();
      if (!name) problems.push({ kind: 'parameterName', step: index, field: 'parameter', parameter: p });
      else if (seen.has(name)) problems.push({ kind: 'parameterDuplicate', step: index, field: 'parameter', parameter: p });
      seen.add(name);
    });
  });
  return problems;
}

// --- the mutation input -------------------------------------------------------

/**
 * The `updateRouting` input for `draft` saved over `base`: the whole list of steps
 * in order (existing steps keep their `id`; new ones have none), plus the title and
 * description when they changed. `keepIds` limits which ids are sent (when
 * overwriting a newer version, a step someone else removed is re-created).
 */
export function toUpdateInput(draft: Draft, base: EditableRouting, keepIds?: ReadonlySet<string>): UpdateRoutingInput {
  const input: UpdateRoutingInput = {};
  if (draft.title !== base.title) input.title = draft.title.trim();
  if (draft.description !== base.description) input.description = draft.description;
  input.steps = draft.steps.map((step): StepInput => {
    const out: StepInput = {
      name: step.name.trim(),
      workCenter: step.workCenter.trim(),
      machine: step.machine.trim(),
      description: step.description,
      setupMinutes: parseMinutes(step.setupMinutes) ?? 0,
      cycleMinutes: parseMinutes(step.cycleMinutes) ?? 0,
      toolingNotes: step.toolingNotes,
      parameters: step.parameters.map((p) => ({ key: p.name.trim(), value: p.value })),
    };
    if (step.id !== null && (!keepIds || keepIds.has(step.id))) return { id: step.id, ...out };
    return out;
  });
  return input;
}

// --- what someone else changed ------------------------------------------------

export type Change =
  | { kind: 'title'; title: string }
  | { kind: 'description' }
  | { kind: 'status'; status: string }
  | { kind: 'stepAdded'; name: string }
  | { kind: 'stepRemoved'; name: string }
  | { kind: 'stepChanged'; name: string; fields: (keyof ServerStep)[] }
  | { kind: 'reordered' };

const STEP_FIELDS = [
  'name',
  'workCenter',
  'machine',
  'description',
  'setupMinutes',
  'cycleMinutes',
  'toolingNotes',
  'parameters',
] as const satisfies readonly (keyof ServerStep)[];

/** What differs between the version the user started from and the server's current one. */
export function diffRoutings(before: EditableRouting, after: EditableRouting): Change[] {
  const changes: Change[] = [];
  if (before.status !== after.status) changes.push({ kind: 'status', status: after.status });
  if (before.title !== after.title) changes.push({ kind: 'title', title: after.title });
  if (before.description !== after.description) changes.push({ kind: 'description' });
  const beforeById = new Map(before.steps.map((s) => [s.id, s]));
  const afterIds = new Set(after.steps.map((s) => s.id));
  for (const step of after.steps) {
    const old = beforeById.get(step.id);
    if (!old) {
      changes.push({ kind: 'stepAdded', name: step.name });
      continue;
    }
    const fields = STEP_FIELDS.filter((field) =>
      field === 'parameters'
        ? JSON.stringify(old.parameters) !== JSON.stringify(step.parameters)
        : old[field] !== step[field],
    );
    if (fields.length > 0) changes.push({ kind: 'stepChanged', name: step.name, fields });
  }
  for (const step of before.steps) {
    if (!afterIds.has(step.id)) changes.push({ kind: 'stepRemoved', name: step.name });
  }
  const commonBefore = before.steps.filter((s) => afterIds.has(s.id)).map((s) => s.id);
  const commonAfter = after.steps.filter((s) => beforeById.has(s.id)).map((s) => s.id);
  if (commonBefore.join(',') !== commonAfter.join(',')) changes.push({ kind: 'reordered' });
  return changes;
}
