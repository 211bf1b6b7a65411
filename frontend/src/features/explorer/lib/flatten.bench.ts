// `npx vitest bench --run src/features/explorer` (from frontend/): how long the
// explorer's data work takes for 10,000 routings (100 items × 100 routings).
import { bench, describe } from 'vitest';
import { flattenTree } from './flatten';
import { explorerReducer, initialExplorerState, type ItemConnectionData } from './tree-state';

function page(items: number, routingsEach: number, offset: number): ItemConnectionData {
  return {
    totalCount: 100,
    pageInfo: { hasNextPage: offset + items < 100, endCursor: String(offset + items) },
    edges: Array.from({ length: items }, (_, k) => {
      const i = offset + k;
      return {
        node: {
          id: `i${i}`,
          itemCode: `ITEM-${String(i).padStart(4, '0')}`,
          name: `Part ${i}`,
          revisions: {
            totalCount: 1,
            pageInfo: { hasNextPage: false },
            edges: [
              {
                node: {
                  id: `v${i}`,
                  code: 'A',
                  routings: {
                    totalCount: routingsEach,
                    pageInfo: { hasNextPage: false },
                    edges: Array.from({ length: routingsEach }, (_, j) => ({
                      node: { id: `${i}-${j}`, code: `R-${j}`, title: `Routing ${j}`, status: 'DRAFT' as const, generationStatus: 'NONE' as const },
                    })),
                  },
                },
              },
            ],
          },
        },
      };
    }),
  };
}

const first = page(50, 100, 0);
const second = page(50, 100, 50);
const load = () => {
  let state = explorerReducer(initialExplorerState(), { type: 'itemsLoaded', page: 0, after: null, connection: first });
  state = explorerReducer(state, { type: 'itemsLoaded', page: 1, after: '50', connection: second });
  return state;
};
const loaded = load();

describe('explorer, 10,000 routings', () => {
  bench('load two items pages into the state', () => {
    load();
  });
  bench('flatten the expanded tree into 10,200 rows', () => {
    flattenTree(loaded, new Set());
  });
  bench('patch one routing status (live event) and flatten again', () => {
    const next = explorerReducer(loaded, { type: 'routingStatusChanged', routingId: '50-50', status: 'APPROVED' });
    flattenTree(next, new Set());
  });
});
