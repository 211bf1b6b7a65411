// The explorer's loaded data, normalized: items, revisions and routings by id,
// each list with its paging state. Pure functions only (a reducer), so the
// paging, merging and live patches are tested without React.
import type { CombinedError } from 'urql';
import type { GenerationStatus, RoutingStatus } from '@/gql/graphql';

/** Where one list (items, an item's revisions, a revision's routings) stands. */
export interface PageState {
  /** Size of the whole list on the server (under the status filter, for routings). */
  total: number;
  /** Pass as `after` to get the next page. */
  cursor: string | null;
  hasMore: boolean;
  loading: boolean;
  error: CombinedError | null;
}

export interface RoutingNode {
  id: string;
  revisionId: string;
  code: string;
  title: string;
  status: RoutingStatus;
  generationStatus: GenerationStatus;
}

export interface RevisionNode {
  id: string;
  itemId: string;
  code: string;
  routingIds: string[];
  routings: PageState;
}

export interface ItemNode {
  id: string;
  itemCode: string;
  name: string;
  /** Index of the items page it came with (for refreshing that page). */
  page: number;
  revisionIds: string[];
  revisions: PageState;
}

export interface ExplorerState {
  /** The status filter the data was loaded with (the server filters routings by it). */
  status: RoutingStatus | null;
  itemIds: string[];
  items: Record<string, ItemNode>;
  revisions: Record<string, RevisionNode>;
  routings: Record<string, RoutingNode>;
  root: PageState & { loaded: boolean };
  /** The `after` cursor each items page was loaded with. */
  pageCursors: (string | null)[];
  /** Items and revisions created here: shown even when the filter would hide them. */
  pinned: Record<string, true>;
}

// --- What the server sends (structural, so generated types fit) ------------

export interface PageInfoData {
  hasNextPage: boolean;
  endCursor?: string | null;
}

export interface RoutingData {
  id: string;
  code: string;
  title: string;
  status: RoutingStatus;
  generationStatus?: GenerationStatus | null;
}

export interface RoutingConnectionData {
  totalCount: number;
  pageInfo?: PageInfoData | null;
  edges: readonly { node: RoutingData }[];
}

export interface RevisionData {
  id: string;
  code: string;
  routings: RoutingConnectionData;
}

export interface RevisionConnectionData {
  totalCount: number;
  pageInfo?: PageInfoData | null;
  edges: readonly { node: RevisionData }[];
}

export interface ItemData {
  id: string;
  itemCode: string;
  name: string;
  revisions: RevisionConnectionData;
}

export interface ItemConnectionData {
  totalCount: number;
  pageInfo?: PageInfoData | null;
  edges: readonly { node: ItemData }[];
}

// --- Actions -----------------------------------------------------------------

export type ExplorerAction =
  | { type: 'reset'; status: RoutingStatus | null }
  | { type: 'itemsLoading' }
  | { type: 'itemsFailed'; error: CombinedError }
  | { type: 'itemsLoaded'; page: number; after: string | null; connection: ItemConnectionData }
  | { type: 'pageRefreshed'; page: number; connection: ItemConnectionData }
  | { type: 'revisionsLoading'; itemId: string }
  | { type: 'revisionsFailed'; itemId: string; error: CombinedError }
  | { type: 'revisionsLoaded'; itemId: string; connection: RevisionConnectionData }
  | { type: 'routingsLoading'; revisionId: string }
  | { type: 'routingsFailed'; revisionId: string; error: CombinedError }
  | { type: 'routingsLoaded'; revisionId: string; connection: RoutingConnectionData }
  | { type: 'itemCreated'; item: { id: string; itemCode: string; name: string } }
  | { type: 'revisionCreated'; itemId: string; revision: { id: string; code: string } }
  | { type: 'routingUpserted'; revisionId: string; routing: RoutingData }
  | { type: 'routingStatusChanged'; routingId: string; status: RoutingStatus };

const emptyPage = (): PageState => ({ total: 0, cursor: null, hasMore: false, loading: false, error: null });

export function initialExplorerState(status: RoutingStatus | null = null): ExplorerState {
  return {
    status,
    itemIds: [],
    items: {},
    revisions: {},
    routings: {},
    root: { ...emptyPage(), loaded: false },
    pageCursors: [],
    pinned: {},
  };
}

/** Binary order, as the server's `ORDER BY code` (items by item code, revisions and routings by code). */
export function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pageFrom(connection: { totalCount: number; pageInfo?: PageInfoData | null }, loadedCount: number): PageState {
  const hasMore = connection.pageInfo?.hasNextPage ?? loadedCount < connection.totalCount;
  return {
    total: connection.totalCount,
    cursor: connection.pageInfo?.endCursor ?? null,
    hasMore,
    loading: false,
    error: null,
  };
}

/** `ids` with `id` inserted where `codeOf` orders it (or left alone if present). */
function insertSorted(ids: readonly string[], id: string, codeOf: (id: string) => string): string[] {
  if (ids.includes(id)) return [...ids];
  const code = codeOf(id);
  const at = ids.findIndex((other) => compareCodes(codeOf(other), code) > 0);
  const next = [...ids];
  if (at === -1) next.push(id);
  else next.splice(at, 0, id);
  return next;
}

function routingNode(revisionId: string, data: RoutingData): RoutingNode {
  return {
    id: data.id,
    revisionId,
    code: data.code,
    title: data.title,
    status: data.status,
    generationStatus: data.generationStatus ?? 'NONE',
  };
}

type Draft = Pick<ExplorerState, 'items' | 'revisions' | 'routings'>;

/** Adds (or refreshes) a revision and its first page of routings into `draft` (mutable copies). */
function putRevision(draft: Draft, itemId: string, data: RevisionData, merge: boolean): void {
  const routingIds = data.routings.edges.map((edge) => edge.node.id);
  for (const edge of data.routings.edges) draft.routings[edge.node.id] = routingNode(data.id, edge.node);
  const fresh = pageFrom(data.routings, routingIds.length);
  const existing = draft.revisions[data.id];
  if (!merge || !existing) {
    draft.revisions[data.id] = { id: data.id, itemId, code: data.code, routingIds, routings: fresh };
    return;
  }
  // A refresh of the first page: keep the pages loaded beyond it, add what is new.
  let ids = existing.routingIds;
  if (!fresh.hasMore) {
    const keep = new Set(routingIds);
    ids = ids.filter((id) => keep.has(id));
  }
  for (const id of routingIds) ids = insertSorted(ids, id, (other) => draft.routings[other]?.code ?? '');
  const loadedBeyond = existing.routingIds.length > routingIds.length && fresh.hasMore;
  draft.revisions[data.id] = {
    ...existing,
    code: data.code,
    routingIds: ids,
    routings: loadedBeyond ? { ...existing.routings, total: fresh.total, loading: false, error: null } : fresh,
  };
}

function putItem(draft: Draft, data: ItemData, page: number, merge: boolean): void {
  const existing = draft.items[data.id];
  const revisionIds = data.revisions.edges.map((edge) => edge.node.id);
  for (const edge of data.revisions.edges) putRevision(draft, data.id, edge.node, merge);
  const fresh = pageFrom(data.revisions, revisionIds.length);
  if (!merge || !existing) {
    draft.items[data.id] = { id: data.id, itemCode: data.itemCode, name: data.name, page, revisionIds, revisions: fresh };
    return;
  }
  let ids = existing.revisionIds;
  for (const id of revisionIds) ids = insertSorted(ids, id, (other) => draft.revisions[other]?.code ?? '');
  const loadedBeyond = existing.revisionIds.length > revisionIds.length && fresh.hasMore;
  draft.items[data.id] = {
    ...existing,
    itemCode: data.itemCode,
    name: data.name,
    revisionIds: ids,
    revisions: loadedBeyond ? { ...existing.revisions, total: fresh.total, loading: false, error: null } : fresh,
  };
}

function draftOf(state: ExplorerState): Draft {
  return { items: { ...state.items }, revisions: { ...state.revisions }, routings: { ...state.routings } };
}

function withRevision(state: ExplorerState, id: string, change: (revision: RevisionNode) => RevisionNode): ExplorerState {
  const revision = state.revisions[id];
  if (!revision) return state;
  return { ...state, revisions: { ...state.revisions, [id]: change(revision) } };
}

function withItem(state: ExplorerState, id: string, change: (item: ItemNode) => ItemNode): ExplorerState {
  const item = state.items[id];
  if (!item) return state;
  return { ...state, items: { ...state.items, [id]: change(item) } };
}

/** Takes a routing out of its revision (it no longer matches the status filter). */
function removeRouting(state: ExplorerState, routingId: string): ExplorerState {
  const routing = state.routings[routingId];
  if (!routing) return state;
  const routings = { ...state.routings };
  delete routings[routingId];
  const next = { ...state, routings };
  return withRevision(next, routing.revisionId, (revision) => ({
    ...revision,
    routingIds: revision.routingIds.filter((id) => id !== routingId),
    routings: { ...revision.routings, total: Math.max(0, revision.routings.total - 1) },
  }));
}

export function explorerReducer(state: ExplorerState, action: ExplorerAction): ExplorerState {
  switch (action.type) {
    case 'reset':
      return initialExplorerState(action.status);

    case 'itemsLoading':
      return { ...state, root: { ...state.root, loading: true, error: null } };

    case 'itemsFailed':
      return { ...state, root: { ...state.root, loading: false, error: action.error } };

    case 'itemsLoaded': {
      const draft = draftOf(state);
      const itemIds = [...state.itemIds];
      const present = new Set(itemIds);
      for (const edge of action.connection.edges) {
        // An item created here may already be shown; the page brings its fresh data.
        putItem(draft, edge.node, action.page, present.has(edge.node.id));
        if (!present.has(edge.node.id)) itemIds.push(edge.node.id);
        present.add(edge.node.id);
      }
      const pageCursors = [...state.pageCursors];
      pageCursors[action.page] = action.after;
      const loadedCount = action.page === 0 ? action.connection.edges.length : itemIds.length;
      return {
        ...state,
        ...draft,
        itemIds,
        pageCursors,
        root: { ...pageFrom(action.connection, loadedCount), loaded: true },
      };
    }

    case 'pageRefreshed': {
      const draft = draftOf(state);
      let itemIds = state.itemIds;
      for (const edge of action.connection.edges) {
        putItem(draft, edge.node, state.items[edge.node.id]?.page ?? action.page, true);
        itemIds = insertSorted(itemIds, edge.node.id, (id) => draft.items[id]?.itemCode ?? '');
      }
      return { ...state, ...draft, itemIds, root: { ...state.root, total: action.connection.totalCount } };
    }

    case 'revisionsLoading':
      return withItem(state, action.itemId, (item) => ({
        ...item,
        revisions: { ...item.revisions, loading: true, error: null },
      }));

    case 'revisionsFailed':
      return withItem(state, action.itemId, (item) => ({
        ...item,
        revisions: { ...item.revisions, loading: false, error: action.error },
      }));

    case 'revisionsLoaded': {
      const item = state.items[action.itemId];
      if (!item) return state;
      const draft = draftOf(state);
      const revisionIds = [...item.revisionIds];
      for (const edge of action.connection.edges) {
        const present = revisionIds.includes(edge.node.id);
        putRevision(draft, item.id, edge.node, present);
        if (!present) revisionIds.push(edge.node.id);
      }
      draft.items[item.id] = { ...item, revisionIds, revisions: pageFrom(action.connection, revisionIds.length) };
      return { ...state, ...draft };
    }

    case 'routingsLoading':
      return withRevision(state, action.revisionId, (revision) => ({
        ...revision,
        routings: { ...revision.routings, loading: true, error: null },
      }));

    case 'routingsFailed':
      return withRevision(state, action.revisionId, (revision) => ({
        ...revision,
        routings: { ...revision.routings, loading: false, error: action.error },
      }));

    case 'routingsLoaded': {
      const revision = state.revisions[action.revisionId];
      if (!revision) return state;
      const routings = { ...state.routings };
      const routingIds = [...revision.routingIds];
      const present = new Set(routingIds);
      for (const edge of action.connection.edges) {
        routings[edge.node.id] = routingNode(revision.id, edge.node);
        if (!present.has(edge.node.id)) routingIds.push(edge.node.id);
        present.add(edge.node.id);
      }
      return {
        ...state,
        routings,
        revisions: {
          ...state.revisions,
          [revision.id]: { ...revision, routingIds, routings: pageFrom(action.connection, routingIds.length) },
        },
      };
    }

    case 'itemCreated': {
      const { item } = action;
      const items = {
        ...state.items,
        [item.id]: {
          id: item.id,
          itemCode: item.itemCode,
          name: item.name,
          page: Math.max(0, state.pageCursors.length - 1),
          revisionIds: [],
          revisions: emptyPage(),
        },
      };
      const itemIds = insertSorted(state.itemIds, item.id, (id) => items[id]?.itemCode ?? '');
      return {
        ...state,
        items,
        itemIds,
        root: { ...state.root, total: state.root.total + 1 },
        pinned: { ...state.pinned, [`item:${item.id}`]: true },
      };
    }

    case 'revisionCreated': {
      const item = state.items[action.itemId];
      if (!item) return state;
      const { revision } = action;
      const revisions = {
        ...state.revisions,
        [revision.id]: { id: revision.id, itemId: item.id, code: revision.code, routingIds: [], routings: emptyPage() },
      };
      const revisionIds = insertSorted(item.revisionIds, revision.id, (id) => revisions[id]?.code ?? '');
      return {
        ...state,
        revisions,
        items: {
          ...state.items,
          [item.id]: { ...item, revisionIds, revisions: { ...item.revisions, total: item.revisions.total + 1 } },
        },
        pinned: { ...state.pinned, [`revision:${revision.id}`]: true, [`item:${item.id}`]: true },
      };
    }

    case 'routingUpserted': {
      const { routing } = action;
      if (state.status !== null && routing.status !== state.status) return removeRouting(state, routing.id);
      const revision = state.revisions[action.revisionId];
      if (!revision) return state;
      const known = state.routings[routing.id];
      const routings = { ...state.routings, [routing.id]: routingNode(revision.id, routing) };
      if (known) return { ...state, routings };
      // A routing not shown yet: add it only where its place is known (all pages loaded,
      // or it sorts before the end of what is loaded); otherwise a later page brings it.
      const lastId = revision.routingIds[revision.routingIds.length - 1];
      const lastCode = lastId ? state.routings[lastId]?.code : undefined;
      const placeKnown = !revision.routings.hasMore || (lastCode !== undefined && compareCodes(routing.code, lastCode) < 0);
      if (!placeKnown) return state;
      const routingIds = insertSorted(revision.routingIds, routing.id, (id) => routings[id]?.code ?? '');
      return {
        ...state,
        routings,
        revisions: {
          ...state.revisions,
          [revision.id]: { ...revision, routingIds, routings: { ...revision.routings, total: revision.routings.total + 1 } },
        },
      };
    }

    case 'routingStatusChanged': {
      const routing = state.routings[action.routingId];
      if (!routing || routing.status === action.status) return state;
      if (state.status !== null && action.status !== state.status) return removeRouting(state, routing.id);
      return { ...state, routings: { ...state.routings, [routing.id]: { ...routing, status: action.status } } };
    }
  }
}
