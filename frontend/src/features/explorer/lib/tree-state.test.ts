import { describe, expect, it } from 'vitest';
import { flattenTree } from './flatten';
import { explorerReducer, initialExplorerState, type ExplorerState, type RoutingData } from './tree-state';

const r = (id: string, code: string, status: RoutingData['status'] = 'DRAFT'): RoutingData => ({
  id,
  code,
  title: `Title ${code}`,
  status,
  generationStatus: 'NONE',
});

function loaded(routings: RoutingData[], options: { hasNextPage?: boolean; total?: number } = {}, status: ExplorerState['status'] = null) {
  return explorerReducer(initialExplorerState(status), {
    type: 'itemsLoaded',
    page: 0,
    after: null,
    connection: {
      totalCount: 1,
      pageInfo: { hasNextPage: false, endCursor: '1' },
      edges: [
        {
          node: {
            id: 'i',
            itemCode: 'I',
            name: 'Item',
            revisions: {
              totalCount: 1,
              pageInfo: { hasNextPage: false },
              edges: [
                {
                  node: {
                    id: 'v',
                    code: 'A',
                    routings: {
                      totalCount: options.total ?? routings.length,
                      pageInfo: { hasNextPage: options.hasNextPage ?? false, endCursor: String(routings.length) },
                      edges: routings.map((node) => ({ node })),
                    },
                  },
                },
              ],
            },
          },
        },
      ],
    },
  });
}

const codes = (state: ExplorerState) => flattenTree(state, new Set()).map((row) => (row.kind === 'routing' ? row.routing.code : row.kind));

describe('explorer tree state', () => {
  it('appends further pages of routings and ends with a "more" row while some remain', () => {
    let state = loaded([r('1', 'A1'), r('2', 'A2')], { hasNextPage: true, total: 3 });
    expect(codes(state)).toEqual(['item', 'revision', 'A1', 'A2', 'more']);
    state = explorerReducer(state, {
      type: 'routingsLoaded',
      revisionId: 'v',
      connection: { totalCount: 3, pageInfo: { hasNextPage: false, endCursor: '3' }, edges: [{ node: r('3', 'A3') }] },
    });
    expect(codes(state)).toEqual(['item', 'revision', 'A1', 'A2', 'A3']);
  });

  it('keeps pages loaded beyond the first when the first page is read again', () => {
    let state = loaded([r('1', 'A1'), r('2', 'A2')], { hasNextPage: true, total: 4 });
    state = explorerReducer(state, {
      type: 'routingsLoaded',
      revisionId: 'v',
      connection: { totalCount: 4, pageInfo: { hasNextPage: true, endCursor: '3' }, edges: [{ node: r('3', 'A3') }] },
    });
    const page = {
      totalCount: 1,
      edges: [
        {
          node: {
            id: 'i',
            itemCode: 'I',
            name: 'Item renamed',
            revisions: {
              totalCount: 1,
              edges: [
                {
                  node: {
                    id: 'v',
                    code: 'A',
                    routings: {
                      totalCount: 4,
                      pageInfo: { hasNextPage: true, endCursor: '2' },
                      edges: [{ node: r('1', 'A1', 'APPROVED') }, { node: r('2', 'A2') }],
                    },
                  },
                },
              ],
            },
          },
        },
      ],
    };
    state = explorerReducer(state, { type: 'pageRefreshed', page: 0, connection: page });
    expect(codes(state)).toEqual(['item', 'revision', 'A1', 'A2', 'A3', 'more']);
    expect(state.routings['1']?.status).toBe('APPROVED');
    expect(state.items.i?.name).toBe('Item renamed');
    expect(state.revisions.v?.routings.cursor).toBe('3');
  });

  it('inserts a routing from a live update only where its place is known', () => {
    let state = loaded([r('1', 'A1'), r('3', 'A3')], { hasNextPage: true, total: 5 });
    state = explorerReducer(state, { type: 'routingUpserted', revisionId: 'v', routing: r('2', 'A2') });
    expect(codes(state)).toEqual(['item', 'revision', 'A1', 'A2', 'A3', 'more']);
    // After the last loaded one, with more pages to come: a later page brings it.
    state = explorerReducer(state, { type: 'routingUpserted', revisionId: 'v', routing: r('9', 'A9') });
    expect(codes(state)).toEqual(['item', 'revision', 'A1', 'A2', 'A3', 'more']);
  });

  it('drops routings leaving the filtered status, and hides what is left empty', () => {
    let state = loaded([r('1', 'A1', 'PENDING_APPROVAL')], {}, 'PENDING_APPROVAL');
    expect(codes(state)).toEqual(['item', 'revision', 'A1']);
    state = explorerReducer(state, { type: 'routingStatusChanged', routingId: '1', status: 'APPROVED' });
    expect(codes(state)).toEqual([]);
  });

  it('shows an item created here even when the filter would hide it', () => {
    let state = loaded([r('1', 'A1', 'DRAFT')], {}, 'DRAFT');
    state = explorerReducer(state, { type: 'itemCreated', item: { id: 'n', itemCode: 'AAA', name: 'New' } });
    const rows = flattenTree(state, new Set());
    expect(rows.map((row) => row.key)).toEqual(['item:n', 'item:i', 'revision:v', 'routing:1']);
    expect(rows[0]?.kind === 'item' && rows[0].expanded).toBe(null);
  });
});
