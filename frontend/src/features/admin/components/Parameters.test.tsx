import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { admin, failure, fakeGraphQL, meAnswer, renderAt, type GraphQLAnswer } from '../test-utils';

afterEach(() => vi.unstubAllGlobals());

const targets: GraphQLAnswer = {
  data: {
    items: {
      __typename: 'ItemConnection',
      totalCount: 1,
      edges: [
        {
          __typename: 'ItemEdge',
          node: {
            __typename: 'Item',
            id: '7',
            itemCode: 'BRK-100',
            name: 'Bracket',
            revisions: {
              __typename: 'RevisionConnection',
              edges: [
                {
                  __typename: 'RevisionEdge',
                  node: {
                    __typename: 'Revision',
                    id: '8',
                    code: 'A',
                    routings: {
                      __typename: 'RoutingConnection',
                      edges: [
                        { __typename: 'RoutingEdge', node: { __typename: 'Routing', id: '9', code: 'R-1', title: 'Mill and drill' } },
                      ],
                    },
                  },
                },
              ],
            },
          },
        },
      ],
    },
  },
};

function pairs(values: Record<string, string>) {
  return Object.entries(values).map(([key, value]) => ({ __typename: 'KeyValue', key, value }));
}

function setAnswer(version: number, values: Record<string, string>, scope = 'ROUTING', targetId = '9'): GraphQLAnswer {
  return {
    data: {
      addinParameterSet: {
        __typename: 'AddinParameterSet',
        scope,
        targetId,
        version,
        updatedBy: 'admin',
        updatedAt: '2025-04-01T09:00:00+00:00',
        parameters: pairs(values),
        versions: Array.from({ length: version }, (_, index) => ({
          __typename: 'AddinParameterSetVersion',
          version: version - index,
          savedBy: index === 0 ? 'admin' : 'other-admin',
          savedAt: '2025-04-01T09:00:00+00:00',
          parameters: index === 0 ? pairs(values) : pairs({ old: 'value' }),
        })),
      },
    },
  };
}

function savedAnswer(version: number, values: Record<string, string>): GraphQLAnswer {
  return {
    data: {
      saveAddinParameterSet: {
        __typename: 'AddinParameterSet',
        scope: 'ROUTING',
        targetId: '9',
        version,
        updatedBy: 'admin',
        updatedAt: '2025-04-02T09:00:00+00:00',
        parameters: pairs(values),
      },
    },
  };
}

async function pickRouting() {
  fireEvent.change(await screen.findByLabelText('Scope'), { target: { value: 'ROUTING' } });
  await screen.findByRole('option', { name: 'BRK-100 — Bracket' });
  fireEvent.change(screen.getByLabelText('Item'), { target: { value: '7' } });
  fireEvent.change(screen.getByLabelText('Revision'), { target: { value: '8' } });
  fireEvent.change(screen.getByLabelText('Routing'), { target: { value: '9' } });
  return screen.findByRole('heading', { name: 'Parameters of routing R-1 (BRK-100 revision A)' });
}

describe('admin console: add-in parameter sets', () => {
  it('loads a routing’s set with its history and effective parameters, and saves the edit with the version it edited', async () => {
    let saved = false;
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminParameterTargets: targets,
      AdminParameterSet: () => (saved ? setAnswer(3, { tool_lib: 'T2', post: 'fanuc' }) : setAnswer(2, { tool_lib: 'T1' })),
      AdminEffectiveParameters: () => ({
        data: { effectiveAddinParameters: pairs(saved ? { material: 'AL', tool_lib: 'T2', post: 'fanuc' } : { material: 'AL', tool_lib: 'T1' }) },
      }),
      AdminSaveParameterSet: () => {
        saved = true;
        return savedAnswer(3, { tool_lib: 'T2', post: 'fanuc' });
      },
    });
    renderAt('/admin/parameters');
    await pickRouting();
    expect(server.variablesOf('AdminParameterSet').at(-1)).toEqual({ scope: 'ROUTING', targetId: '9' });
    expect(await screen.findByText(/Version 2, saved by admin/)).toBeTruthy();

    const history = screen.getByRole('table', { name: 'Saved versions, newest first' });
    expect(within(history).getAllByRole('rowheader').map((th) => th.textContent)).toEqual(['2', '1']);
    expect(history.textContent).toContain('other-admin');
    const effective = await screen.findByRole('table', { name: 'Effective parameters of routing R-1' });
    expect(within(effective).getAllByRole('rowheader').map((th) => th.textContent)).toEqual(['material', 'tool_lib']);

    const editor = screen.getByRole('table', { name: 'Parameters (key and value)' });
    expect((within(editor).getByLabelText('Key 1') as HTMLInputElement).value).toBe('tool_lib');
    fireEvent.change(within(editor).getByLabelText('Value 1'), { target: { value: 'T2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add parameter' }));
    const key2 = screen.getByLabelText('Key 2') as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(key2));
    fireEvent.change(key2, { target: { value: ' post ' } });
    fireEvent.change(screen.getByLabelText('Value 2'), { target: { value: 'fanuc' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save parameters' }));

    expect((await screen.findByText('Saved as version 3.')).getAttribute('role')).toBe('status');
    expect(server.variablesOf('AdminSaveParameterSet')).toEqual([
      {
        scope: 'ROUTING',
        targetId: '9',
        parameters: [
          { key: 'tool_lib', value: 'T2' },
          { key: 'post', value: 'fanuc' },
        ],
        expectedVersion: 2,
      },
    ]);
    expect(await screen.findByText(/Version 3, saved by admin/)).toBeTruthy();
    await waitFor(() =>
      expect(
        within(screen.getByRole('table', { name: 'Effective parameters of routing R-1' }))
          .getAllByRole('rowheader')
          .map((th) => th.textContent),
      ).toEqual(['material', 'tool_lib', 'post']),
    );
  });

  it('creates a new item set with expectedVersion 0', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminParameterTargets: targets,
      AdminParameterSet: { data: { addinParameterSet: null } },
      AdminSaveParameterSet: savedAnswer(1, { material: 'AL' }),
    });
    renderAt('/admin/parameters');
    await screen.findByRole('option', { name: 'BRK-100 — Bracket' });
    fireEvent.change(screen.getByLabelText('Item'), { target: { value: '7' } });
    expect(await screen.findByRole('heading', { name: 'Parameters of item BRK-100' })).toBeTruthy();
    expect(await screen.findByText('No parameter set yet: saving creates version 1.')).toBeTruthy();
    expect(screen.getByText('Nothing has been saved yet.')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Effective parameters' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Add parameter' }));
    fireEvent.change(screen.getByLabelText('Key 1'), { target: { value: 'material' } });
    fireEvent.change(screen.getByLabelText('Value 1'), { target: { value: 'AL' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save parameters' }));
    await screen.findByText('Saved as version 1.');
    expect(server.variablesOf('AdminSaveParameterSet')).toEqual([
      { scope: 'ITEM', targetId: '7', parameters: [{ key: 'material', value: 'AL' }], expectedVersion: 0 },
    ]);
  });

  it('refuses empty and repeated keys without asking the server, and removes rows', async () => {
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminParameterTargets: targets,
      AdminParameterSet: setAnswer(1, { a: '1', b: '2' }, 'ITEM', '7'),
    });
    renderAt('/admin/parameters');
    await screen.findByRole('option', { name: 'BRK-100 — Bracket' });
    fireEvent.change(screen.getByLabelText('Item'), { target: { value: '7' } });
    await screen.findByLabelText('Key 2');
    fireEvent.change(screen.getByLabelText('Key 2'), { target: { value: 'a ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add parameter' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save parameters' }));

    expect((await screen.findByRole('alert')).textContent).toContain('every key must be filled in and used once');
    expect(screen.getByLabelText('Key 1').getAttribute('aria-invalid')).toBe('true');
    const describedBy = screen.getByLabelText('Key 1').getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toBe('This key is used twice.');
    expect(screen.getAllByText('This key is used twice.')).toHaveLength(2);
    expect(screen.getByText('Enter a key.')).toBeTruthy();
    expect(server.variablesOf('AdminSaveParameterSet')).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Remove parameter 3' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove parameter 2' }));
    expect(screen.queryByLabelText('Key 2')).toBeNull();
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });

  it('says someone saved meanwhile on CONFLICT, keeps the edits, and reloads the latest version', async () => {
    let conflicted = false;
    const server = fakeGraphQL({
      Me: meAnswer(admin),
      AdminParameterTargets: targets,
      AdminParameterSet: () => (conflicted ? setAnswer(3, { tool_lib: 'THEIRS' }) : setAnswer(2, { tool_lib: 'T1' })),
      AdminEffectiveParameters: { data: { effectiveAddinParameters: [] } },
      AdminSaveParameterSet: () => {
        conflicted = true;
        return failure('CONFLICT', 'The parameter set is at version 3, not 2: someone else changed it.');
      },
    });
    renderAt('/admin/parameters');
    await pickRouting();
    await screen.findByText(/Version 2, saved by admin/);
    fireEvent.change(screen.getByLabelText('Value 1'), { target: { value: 'MINE' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save parameters' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Someone saved this parameter set meanwhile');
    expect(server.variablesOf('AdminSaveParameterSet')[0]?.expectedVersion).toBe(2);
    expect((screen.getByLabelText('Value 1') as HTMLInputElement).value).toBe('MINE');

    fireEvent.click(within(alert).getByRole('button', { name: 'Reload the latest version' }));
    await screen.findByText(/Version 3, saved by admin/);
    await waitFor(() => expect((screen.getByLabelText('Value 1') as HTMLInputElement).value).toBe('THEIRS'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('searches items with the typed text', async () => {
    const server = fakeGraphQL({ Me: meAnswer(admin), AdminParameterTargets: targets });
    renderAt('/admin/parameters');
    await screen.findByRole('option', { name: 'BRK-100 — Bracket' });
    fireEvent.change(screen.getByLabelText('Search items'), { target: { value: ' BRK ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(server.variablesOf('AdminParameterTargets').at(-1)).toEqual({ search: 'BRK', first: 50 }));
    expect(server.variablesOf('AdminParameterTargets')[0]).toEqual({ search: null, first: 50 });
    expect(screen.getByText('Choose an item, then its revision or routing, to see its parameter set.')).toBeTruthy();
  });
});
