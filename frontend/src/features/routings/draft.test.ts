import { describe, expect, it } from 'vitest';
import {
  diffRoutings,
  draftFromRouting,
  isDirty,
  moveItem,
  newStep,
  parseMinutes,
  toUpdateInput,
  validateDraft,
  type EditableRouting,
  type ServerStep,
} from './draft';

function serverStep(id: string, name: string, extra: Partial<ServerStep> = {}): ServerStep {
  return {
    id,
    name,
    workCenter: 'WC',
    machine: 'M',
    description: '',
    setupMinutes: 5,
    cycleMinutes: 1,
    toolingNotes: '',
    parameters: [],
    ...extra,
  };
}

const base: EditableRouting = {
  version: 2,
  title: 'T',
  description: 'D',
  status: 'DRAFT',
  steps: [serverStep('1', 'A'), serverStep('2', 'B', { parameters: [{ key: 'k', value: 'v' }] })],
};

describe('draft', () => {
  it('parses minutes as typed, with a decimal comma, and refuses the rest', () => {
    expect(parseMinutes('12')).toBe(12);
    expect(parseMinutes(' 1,5 ')).toBe(1.5);
    expect(parseMinutes('.5')).toBe(0.5);
    expect(parseMinutes('')).toBeNull();
    expect(parseMinutes('-1')).toBeNull();
    expect(parseMinutes('1e3')).toBeNull();
    expect(parseMinutes('abc')).toBeNull();
  });

  it('is clean as loaded, dirty after a change, clean again when the change is undone', () => {
    const draft = draftFromRouting(base);
    expect(isDirty(draft, base)).toBe(false);
    expect(isDirty({ ...draft, steps: moveItem(draft.steps, 0, 1) }, base)).toBe(true);
    const retyped = { ...draft, steps: draft.steps.map((s, i) => (i === 0 ? { ...s, setupMinutes: '5.0' } : s)) };
    expect(isDirty(retyped, base)).toBe(false);
  });

  it('moves items within bounds', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b', 'c'], 1, 9)).toEqual(['a', 'c', 'b']);
  });

  it('validates names, minutes and parameter names', () => {
    const draft = draftFromRouting(base);
    const step = { ...newStep(), setupMinutes: '-2', parameters: [{ key: 'x', name: 'k', value: '' }, { key: 'y', name: 'k', value: '' }] };
    const problems = validateDraft({ ...draft, title: ' ', steps: [...draft.steps, step] });
    expect(problems.map((p) => [p.kind, p.step, p.field, p.parameter])).toEqual([
      ['titleRequired', undefined, 'title', undefined],
      ['nameRequired', 2, 'name', undefined],
      ['minutes', 2, 'setupMinutes', undefined],
      ['parameterDuplicate', 2, 'parameter', 1],
    ]);
  });

  it('builds the input: all steps in order, ids kept, title only when changed', () => {
    const draft = draftFromRouting(base);
    const input = toUpdateInput({ ...draft, steps: [...moveItem(draft.steps, 1, 0), { ...newStep(), name: ' New ' }] }, base);
    expect(input.title).toBeUndefined();
    expect(input.description).toBeUndefined();
    expect(input.steps?.map((s) => [s.id, s.name])).toEqual([
      ['2', 'B'],
      ['1', 'A'],
      [undefined, 'New'],
    ]);
    expect(input.steps?.[0]?.parameters).toEqual([{ key: 'k', value: 'v' }]);
    expect(toUpdateInput({ ...draft, title: 'U' }, base).title).toBe('U');
    // Overwriting a newer version: a step they removed is sent as new.
    expect(toUpdateInput(draft, base, new Set(['1'])).steps?.map((s) => s.id)).toEqual(['1', undefined]);
  });

  it('describes what someone else changed', () => {
    const theirs: EditableRouting = {
      ...base,
      version: 3,
      status: 'PENDING_APPROVAL',
      description: 'D2',
      steps: [serverStep('2', 'B'), serverStep('1', 'A', { cycleMinutes: 3 }), serverStep('3', 'C')],
    };
    expect(diffRoutings(base, theirs)).toEqual([
      { kind: 'status', status: 'PENDING_APPROVAL' },
      { kind: 'description' },
      { kind: 'stepChanged', name: 'B', fields: ['parameters'] },
      { kind: 'stepChanged', name: 'A', fields: ['cycleMinutes'] },
      { kind: 'stepAdded', name: 'C' },
      { kind: 'reordered' },
    ]);
    expect(diffRoutings(base, { ...base, steps: [base.steps[0] as ServerStep] })).toEqual([
      { kind: 'stepRemoved', name: 'B' },
    ]);
  });
});
