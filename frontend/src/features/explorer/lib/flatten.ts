// The expanded part of the tree as a flat list of rows (what the virtualized
// list renders), each with its ARIA tree position (level, position in set,
// set size) and its parent's key for keyboard navigation.
import type { ExplorerState, ItemNode, PageState, RevisionNode, RoutingNode } from './tree-state';

interface RowBase {
  key: string;
  level: 1 | 2 | 3;
  posinset: number;
  setsize: number;
  parentKey: string | null;
}

export interface ItemRow extends RowBase {
  kind: 'item';
  item: ItemNode;
  /** Null when it has nothing to expand. */
  expanded: boolean | null;
  /** Revisions shown under it (under the status filter). */
  childCount: number;
}

export interface RevisionRow extends RowBase {
  kind: 'revision';
  item: ItemNode;
  revision: RevisionNode;
  expanded: boolean | null;
}

export interface RoutingRow extends RowBase {
  kind: 'routing';
  item: ItemNode;
  revision: RevisionNode;
  routing: RoutingNode;
}

/** The last row of a partly loaded list: loads the next page. */
export interface MoreRow extends RowBase {
  kind: 'more';
  target: { type: 'revisions'; item: ItemNode } | { type: 'routings'; item: ItemNode; revision: RevisionNode };
  page: PageState;
  loadedCount: number;
}

export type TreeRow = ItemRow | RevisionRow | RoutingRow | MoreRow;

export const itemKey = (id: string) => `item:${id}`;
export const revisionKey = (id: string) => `revision:${id}`;
export const routingKey = (id: string) => `routing:${id}`;

/** Rows of the tree; `collapsed` holds the keys of closed items and revisions (all open by default). */
export function flattenTree(state: ExplorerState, collapsed: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const filtered = state.status !== null;

  const revisionsOf = (item: ItemNode): RevisionNode[] => {
    const all = item.revisionIds.map((id) => state.revisions[id]).filter((r): r is RevisionNode => r !== undefined);
    if (!filtered) return all;
    return all.filter(
      (revision) =>
        revision.routingIds.length > 0 || revision.routings.hasMore || state.pinned[revisionKey(revision.id)],
    );
  };

  const items = state.itemIds
    .map((id) => state.items[id])
    .filter((item): item is ItemNode => item !== undefined)
    .map((item) => ({ item, revisions: revisionsOf(item) }))
    .filter(
      ({ item, revisions }) =>
        !filtered || revisions.length > 0 || item.revisions.hasMore || state.pinned[itemKey(item.id)],
    );

  const rootSize =
    state.root.hasMore && !filtered ? Math.max(state.root.total, items.length) : state.root.hasMore ? -1 : items.length;

  items.forEach(({ item, revisions }, itemIndex) => {
    const key = itemKey(item.id);
    const hasRevisionMore = item.revisions.hasMore;
    const expandable = revisions.length > 0 || hasRevisionMore;
    const expanded = expandable ? !collapsed.has(key) : null;
    rows.push({
      kind: 'item',
      key,
      level: 1,
      posinset: itemIndex + 1,
      setsize: rootSize,
      parentKey: null,
      item,
      expanded,
      childCount: revisions.length,
    });
    if (!expanded) return;
    const revisionSetSize = revisions.length + (hasRevisionMore ? 1 : 0);
    revisions.forEach((revision, revisionIndex) => {
      const rKey = revisionKey(revision.id);
      const routings = revision.routingIds
        .map((id) => state.routings[id])
        .filter((r): r is RoutingNode => r !== undefined);
      const hasRoutingMore = revision.routings.hasMore;
      const revisionExpandable = routings.length > 0 || hasRoutingMore;
      const revisionExpanded = revisionExpandable ? !collapsed.has(rKey) : null;
      rows.push({
        kind: 'revision',
        key: rKey,
        level: 2,
        posinset: revisionIndex + 1,
        setsize: revisionSetSize,
        parentKey: key,
        item,
        revision,
        expanded: revisionExpanded,
      });
      if (!revisionExpanded) return;
      const routingSetSize = routings.length + (hasRoutingMore ? 1 : 0);
      routings.forEach((routing, routingIndex) => {
        rows.push({
          kind: 'routing',
          key: routingKey(routing.id),
          level: 3,
          posinset: routingIndex + 1,
          setsize: routingSetSize,
          parentKey: rKey,
          item,
          revision,
          routing,
        });
      });
      if (hasRoutingMore) {
        rows.push({
          kind: 'more',
          key: `more-routings:${revision.id}`,
          level: 3,
          posinset: routingSetSize,
          setsize: routingSetSize,
          parentKey: rKey,
          target: { type: 'routings', item, revision },
          page: revision.routings,
          loadedCount: routings.length,
        });
      }
    });
    if (hasRevisionMore) {
      rows.push({
        kind: 'more',
        key: `more-revisions:${item.id}`,
        level: 2,
        posinset: revisionSetSize,
        setsize: revisionSetSize,
        parentKey: key,
        target: { type: 'revisions', item },
        page: item.revisions,
        loadedCount: revisions.length,
      });
    }
  });
  return rows;
}
