import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { StatusBadge } from '@/components/StatusBadge';
import type { GenerationStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { GENERATION_TONE } from '@/lib/generation';
import type { ItemRow, MoreRow, RevisionRow, RoutingRow, TreeRow } from '../lib/flatten';
import type { ItemNode, RevisionNode, RoutingNode } from '../lib/tree-state';
import { useVirtualWindow } from '../lib/useVirtualWindow';

/** Every row has this height (px), which is what makes windowing simple. */
export const ROW_HEIGHT = 40;
/** Load the next items page when the view comes this close (in rows) to the end. */
const NEAR_END_ROWS = 30;

/** A routing's generation state as a badge; nothing for NONE. */
export function GenerationBadge({ status }: { status: GenerationStatus }) {
  const { t } = useI18n();
  if (status === 'NONE' || !(status in GENERATION_TONE)) return null;
  return (
    <span className={`badge badge--${GENERATION_TONE[status]}`} data-generation={status}>
      {t(`explorer.generation.${status}`)}
    </span>
  );
}

export interface ExplorerTreeProps {
  rows: readonly TreeRow[];
  canCreateRevision: boolean;
  canCreateRouting: boolean;
  /** A row to move focus to once it is in the tree (a new node, the first of a new page). */
  focusRequest: string | null;
  onFocusRequestDone(): void;
  onSetExpanded(key: string, expanded: boolean): void;
  onLoadMore(row: MoreRow, retry: boolean): void;
  /** The view is near the end of the rows: time for the next items page. */
  onNearEnd(): void;
  onOpenRouting(routing: RoutingNode): void;
  onNewRevision(item: ItemNode): void;
  onNewRouting(item: ItemNode, revision: RevisionNode): void;
  /** The rendered range changed (for refreshing what is in view). */
  onRangeChange(start: number, end: number): void;
}

/**
 * The Item → Revision → Routing tree as an ARIA tree, virtualized: the expanded
 * tree is a flat list of fixed-height rows and only those in view are in the
 * DOM, each with its aria-level / aria-posinset / aria-setsize. One row is in
 * the tab order (roving tabindex); arrow keys, Home and End move, Right/Left
 * expand, collapse and go to the parent, Enter opens a routing.
 */
export function ExplorerTree(props: ExplorerTreeProps) {
  const { rows, canCreateRevision, canCreateRouting, focusRequest } = props;
  const { t } = useI18n();
  const { containerRef, start, end, totalHeight, scrollToIndex } = useVirtualWindow<HTMLDivElement>(
    rows.length,
    ROW_HEIGHT,
  );
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [focusTick, setFocusTick] = useState(0);
  const pendingFocus = useRef<string | null>(null);
  const lastActiveIndex = useRef(0);
  const rowElements = useRef(new Map<string, HTMLLIElement>());
  const latest = useRef(props);
  latest.current = props;

  let activeIndex = activeKey === null ? -1 : rows.findIndex((row) => row.key === activeKey);
  if (activeIndex === -1 && rows.length > 0) activeIndex = Math.min(lastActiveIndex.current, rows.length - 1);
  const active = rows[activeIndex];
  if (activeIndex >= 0) lastActiveIndex.current = activeIndex;

  const moveTo = useCallback(
    (index: number) => {
      const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
      if (!row) return;
      setActiveKey(row.key);
      scrollToIndex(rows.indexOf(row));
      pendingFocus.current = row.key;
      setFocusTick((tick) => tick + 1);
    },
    [rows, scrollToIndex],
  );

  // The active row went away (collapsed under, filtered out by a live change):
  // the row now at its place takes over, and keeps focus if it had it.
  useEffect(() => {
    if (activeKey === null || !active || active.key === activeKey) return;
    const focusLost = document.activeElement === null || document.activeElement === document.body;
    setActiveKey(active.key);
    if (focusLost) {
      pendingFocus.current = active.key;
      setFocusTick((tick) => tick + 1);
    }
  }, [activeKey, active]);

  // Focus a row once it is rendered.
  useLayoutEffect(() => {
    const key = pendingFocus.current;
    if (key === null) return;
    const element = rowElements.current.get(key);
    if (element) {
      pendingFocus.current = null;
      element.focus();
    }
  }, [focusTick, start, end, rows]);

  // A row the page wants focused (a node just created, the first of a new page).
  useEffect(() => {
    if (focusRequest === null) return;
    const index = rows.findIndex((row) => row.key === focusRequest);
    if (index === -1) return;
    latest.current.onFocusRequestDone();
    moveTo(index);
  }, [focusRequest, rows, moveTo]);

  // Load what comes into view: the next items page near the end, and the next
  // page of any partly loaded revision or routing list shown.
  useEffect(() => {
    const { onRangeChange, onNearEnd, onLoadMore } = latest.current;
    onRangeChange(start, end);
    if (end >= rows.length - NEAR_END_ROWS) onNearEnd();
    for (let index = start; index < end; index += 1) {
      const row = rows[index];
      if (row?.kind === 'more' && !row.page.loading && !row.page.error) onLoadMore(row, false);
    }
  }, [start, end, rows]);

  function onKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    const target = event.target as HTMLElement;
    // Keys pressed on a button inside a row belong to that button.
    if (target.getAttribute('role') !== 'treeitem' || !active) return;
    const { onSetExpanded, onOpenRouting, onLoadMore } = latest.current;
    const parentIndex = active.parentKey === null ? -1 : rows.findIndex((row) => row.key === active.parentKey);
    const expanded = active.kind === 'item' || active.kind === 'revision' ? active.expanded : null;
    switch (event.key) {
      case 'ArrowDown':
        moveTo(activeIndex + 1);
        break;
      case 'ArrowUp':
        moveTo(activeIndex - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'ArrowRight':
        if (expanded === false) onSetExpanded(active.key, true);
        else if (expanded === true) moveTo(activeIndex + 1);
        break;
      case 'ArrowLeft':
        if (expanded === true) onSetExpanded(active.key, false);
        else if (parentIndex >= 0) moveTo(parentIndex);
        break;
      case 'Enter':
        if (active.kind === 'routing') onOpenRouting(active.routing);
        else if (active.kind === 'more') onLoadMore(active, true);
        else if (expanded !== null) onSetExpanded(active.key, !expanded);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  const indices: number[] = [];
  for (let index = start; index < end; index += 1) indices.push(index);
  // The active row stays rendered out of view, so focus is never lost to the body.
  if (activeIndex >= 0 && (activeIndex < start || activeIndex >= end)) {
    indices.push(activeIndex);
    indices.sort((a, b) => a - b);
  }

  return (
    <div className="explorer-tree__viewport" ref={containerRef} data-testid="explorer-viewport">
      {rows.length > 0 && (
        <ul
          className="explorer-tree"
          role="tree"
          aria-label={t('explorer.tree')}
          style={{ height: totalHeight }}
          onKeyDown={onKeyDown}
        >
          {indices.map((index) => {
            const row = rows[index];
            if (!row) return null;
            const isActive = index === activeIndex;
            return (
              <li
                key={row.key}
                ref={(element) => {
                  if (element) rowElements.current.set(row.key, element);
                  else rowElements.current.delete(row.key);
                }}
                role="treeitem"
                aria-level={row.level}
                aria-posinset={row.posinset}
                aria-setsize={row.setsize}
                aria-expanded={row.kind === 'item' || row.kind === 'revision' ? (row.expanded ?? undefined) : undefined}
                tabIndex={isActive ? 0 : -1}
                data-key={row.key}
                className={`explorer-tree__row explorer-tree__row--${row.kind}`}
                style={{ top: index * ROW_HEIGHT, height: ROW_HEIGHT }}
                onFocus={() => {
                  if (activeKey !== row.key) setActiveKey(row.key);
                }}
              >
                {row.kind === 'item' && (
                  <ItemRowContent
                    row={row}
                    tabbable={isActive}
                    canCreate={canCreateRevision}
                    onToggle={() => row.expanded !== null && latest.current.onSetExpanded(row.key, !row.expanded)}
                    onNew={() => latest.current.onNewRevision(row.item)}
                  />
                )}
                {row.kind === 'revision' && (
                  <RevisionRowContent
                    row={row}
                    tabbable={isActive}
                    canCreate={canCreateRouting}
                    onToggle={() => row.expanded !== null && latest.current.onSetExpanded(row.key, !row.expanded)}
                    onNew={() => latest.current.onNewRouting(row.item, row.revision)}
                  />
                )}
                {row.kind === 'routing' && <RoutingRowContent row={row} />}
                {row.kind === 'more' && (
                  <MoreRowContent
                    row={row}
                    tabbable={isActive}
                    onLoad={() => latest.current.onLoadMore(row, true)}
                  />
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function Chevron({ expanded }: { expanded: boolean | null }) {
  if (expanded === null) return <span className="explorer-tree__chevron explorer-tree__chevron--none" aria-hidden="true" />;
  return (
    <span
      className={`explorer-tree__chevron${expanded ? ' explorer-tree__chevron--open' : ''}`}
      aria-hidden="true"
    />
  );
}

interface ParentRowProps<R> {
  row: R;
  tabbable: boolean;
  canCreate: boolean;
  onToggle(): void;
  onNew(): void;
}

function ItemRowContent({ row, tabbable, canCreate, onToggle, onNew }: ParentRowProps<ItemRow>) {
  const { t } = useI18n();
  const { item } = row;
  const count = row.childCount;
  return (
    <>
      <span className="explorer-tree__main" onClick={onToggle}>
        <Chevron expanded={row.expanded} />
        <span className="explorer-tree__label">
          <span className="explorer-tree__code">{item.itemCode}</span>{' '}
          <span className="explorer-tree__name">{item.name}</span>
        </span>
        <span className="explorer-tree__meta">
          {count === 0 && !item.revisions.hasMore
            ? t('explorer.noRevisions')
            : count === 1
              ? t('explorer.revisionCount.one')
              : t('explorer.revisionCount', { count: Math.max(count, item.revisions.total) })}
        </span>
      </span>
      {canCreate && (
        <button
          type="button"
          className="button explorer-tree__action"
          tabIndex={tabbable ? 0 : -1}
          aria-label={t('explorer.newRevisionFor', { item: item.itemCode })}
          onClick={onNew}
        >
          {t('explorer.newRevision')}
        </button>
      )}
    </>
  );
}

function RevisionRowContent({ row, tabbable, canCreate, onToggle, onNew }: ParentRowProps<RevisionRow>) {
  const { t } = useI18n();
  const { item, revision } = row;
  const total = revision.routings.total;
  return (
    <>
      <span className="explorer-tree__main" onClick={onToggle}>
        <Chevron expanded={row.expanded} />
        <span className="explorer-tree__label">
          {t('explorer.revision', { code: revision.code })}
        </span>
        <span className="explorer-tree__meta">
          {total === 0
            ? t('explorer.noRoutings')
            : total === 1
              ? t('explorer.routingCount.one')
              : t('explorer.routingCount', { count: total })}
        </span>
      </span>
      {canCreate && (
        <button
          type="button"
          className="button explorer-tree__action"
          tabIndex={tabbable ? 0 : -1}
          aria-label={t('explorer.newRoutingFor', { item: item.itemCode, revision: revision.code })}
          onClick={onNew}
        >
          {t('explorer.newRouting')}
        </button>
      )}
    </>
  );
}

function RoutingRowContent({ row }: { row: RoutingRow }) {
  const { routing } = row;
  return (
    <>
      <span className="explorer-tree__chevron explorer-tree__chevron--none" aria-hidden="true" />
      {/* Enter on the row opens it: the link itself stays out of the tab order. */}
      <Link
        to={`/routings/${encodeURIComponent(routing.id)}`}
        className="explorer-tree__link"
        tabIndex={-1}
      >
        <span className="explorer-tree__code">{routing.code}</span>{' '}
        <span className="explorer-tree__name">{routing.title}</span>
      </Link>
      <span className="explorer-tree__badge">
        <StatusBadge status={routing.status} />
      </span>
      <GenerationBadge status={routing.generationStatus} />
    </>
  );
}

function MoreRowContent({
  row,
  tabbable,
  onLoad,
}: {
  row: MoreRow;
  tabbable: boolean;
  onLoad(): void;
}) {
  const { t } = useI18n();
  const { page, target } = row;
  const vars = { shown: row.loadedCount, total: page.total };
  const label =
    target.type === 'routings'
      ? t('explorer.moreRoutings', { ...vars, revision: target.revision.code, item: target.item.itemCode })
      : t('explorer.moreRevisions', { ...vars, item: target.item.itemCode });
  return (
    <>
      <span className="explorer-tree__chevron explorer-tree__chevron--none" aria-hidden="true" />
      {page.loading ? (
        <span className="explorer-tree__label explorer-tree__more">
          {t('explorer.loadingMore')}
        </span>
      ) : page.error ? (
        <>
          <span className="explorer-tree__label explorer-tree__more">
            {t('explorer.loadFailed')}
          </span>
          <button type="button" className="button explorer-tree__action" tabIndex={tabbable ? 0 : -1} onClick={onLoad}>
            {t('app.retry')}
          </button>
        </>
      ) : (
        <button
          type="button"
          className="button explorer-tree__action explorer-tree__more"
          tabIndex={tabbable ? 0 : -1}
          onClick={onLoad}
        >
          {label}
        </button>
      )}
    </>
  );
}
