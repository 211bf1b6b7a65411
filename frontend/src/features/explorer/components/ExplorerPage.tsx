import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { QueryError } from '@/components/QueryError';
import { useToasts } from '@/components/Toasts';
import { useSignedInUser } from '@/features/auth/components/SessionProvider';
import type { RoutingStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { can } from '@/lib/permissions';
import { useExplorerData, useExplorerLive } from '../hooks/useExplorerData';
import { flattenTree, itemKey, revisionKey, type TreeRow } from '../lib/flatten';
import { NewItemDialog, NewRevisionDialog, NewRoutingDialog } from './CreateDialog';
import { ExplorerTree } from './ExplorerTree';
import '../explorer.css';

export const ROUTING_STATUSES: readonly RoutingStatus[] = ['DRAFT', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED'];
const SEARCH_DELAY_MS = 250;

function parseStatus(value: string | null): RoutingStatus | null {
  return ROUTING_STATUSES.find((status) => status === value) ?? null;
}

type DialogState =
  | { kind: 'item' }
  | { kind: 'revision'; itemId: string }
  | { kind: 'routing'; itemId: string; revisionId: string };

function itemOf(row: TreeRow) {
  return row.kind === 'more' ? row.target.item : row.item;
}

/**
 * The Item → Revision → Routing tree, with a search box and a status filter
 * kept in the URL, creation of items, revisions and routings for the roles
 * that may, and live status badges.
 */
export function ExplorerPage() {
  const { t } = useI18n();
  const user = useSignedInUser();
  const navigate = useNavigate();
  const toasts = useToasts();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const status = parseStatus(params.get('status'));
  const [draft, setDraft] = useState(search);
  const searchId = useId();
  const statusId = useId();
  const canCreateItem = can(user, 'createItem');
  const canCreateRouting = can(user, 'createRouting');

  const data = useExplorerData(search || null, status);
  const { state } = data;
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const rows = useMemo(() => flattenTree(state, collapsed), [state, collapsed]);
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const [focusRequest, setFocusRequest] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const range = useRef({ start: 0, end: 0 });
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  useExplorerLive(data, () => {
    const pages = new Set<number>();
    for (const row of rowsRef.current.slice(range.current.start, range.current.end)) pages.add(itemOf(row).page);
    return [...pages];
  });

  // The URL changed under us (back/forward): the box follows it.
  useEffect(() => setDraft((value) => (value.trim() === search ? value : search)), [search]);

  // Typing updates the URL (and so the query) once the user pauses.
  useEffect(() => {
    if (draft.trim() === search) return;
    const timer = setTimeout(() => {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          if (draft.trim()) next.set('q', draft.trim());
          else next.delete('q');
          return next;
        },
        { replace: true },
      );
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, search, setParams]);

  function onStatusChange(value: string) {
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      if (value) next.set('status', value);
      else next.delete('status');
      return next;
    });
  }

  const setExpanded = useCallback((key: string, expanded: boolean) => {
    setCollapsed((previous) => {
      if (previous.has(key) === !expanded) return previous;
      const next = new Set(previous);
      if (expanded) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);

  const { loadMoreItems, loadMore } = data;
  const onNearEnd = useCallback(() => void loadMoreItems(), [loadMoreItems]);

  async function onLoadMoreClick() {
    if (state.root.loading) return;
    const ids = await loadMoreItems({ retry: true });
    const first = ids[0];
    if (first !== undefined) setFocusRequest(itemKey(first));
  }

  const { root } = state;
  const itemRows = rows.filter((row) => row.kind === 'item').length;
  const filtered = status !== null;
  let summary: string;
  if (!root.loaded) summary = root.error ? '' : t('app.loading');
  else if (filtered)
    summary = root.hasMore
      ? t('explorer.itemCountFilteredPartial', { count: itemRows, checked: state.itemIds.length, total: root.total })
      : t('explorer.itemCountFiltered', { count: itemRows, total: root.total });
  else if (root.hasMore) summary = t('explorer.itemCountPartial', { count: state.itemIds.length, total: root.total });
  else summary = root.total === 1 ? t('explorer.itemCount.one') : t('explorer.itemCount', { count: root.total });

  const dialogItem = dialog && dialog.kind !== 'item' ? state.items[dialog.itemId] : undefined;
  const dialogRevision = dialog?.kind === 'routing' ? state.revisions[dialog.revisionId] : undefined;

  return (
    <section className="explorer" aria-labelledby="explorer-title">
      <title>{`${t('explorer.title')} · ${t('app.name')}`}</title>
      <div className="explorer__header">
        <h1 id="explorer-title">{t('explorer.title')}</h1>
        {canCreateItem && (
          <button type="button" className="button button--primary" onClick={() => setDialog({ kind: 'item' })}>
            {t('explorer.newItem')}
          </button>
        )}
      </div>
      <form className="toolbar" role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="field field--inline">
          <label className="field__label" htmlFor={searchId}>
            {t('explorer.search')}
          </label>
          <input
            id={searchId}
            className="field__input"
            type="search"
            placeholder={t('explorer.searchPlaceholder')}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
        </div>
        <div className="field field--inline">
          <label className="field__label" htmlFor={statusId}>
            {t('explorer.statusFilter')}
          </label>
          <select
            id={statusId}
            className="field__input"
            value={status ?? ''}
            onChange={(event) => onStatusChange(event.target.value)}
          >
            <option value="">{t('explorer.statusAll')}</option>
            {ROUTING_STATUSES.map((value) => (
              <option key={value} value={value}>
                {t(`status.${value}`)}
              </option>
            ))}
          </select>
        </div>
      </form>

      <p className="explorer__summary muted" role="status" aria-live="polite">
        {summary}
      </p>
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      {!root.loaded && root.error && (
        <QueryError error={root.error} onRetry={() => void loadMoreItems({ retry: true })} />
      )}
      {root.loaded && rows.length === 0 && !root.hasMore && (
        <p className="explorer__empty muted">
          {filtered && root.total > 0 ? t('explorer.emptyFiltered') : t('explorer.empty')}
        </p>
      )}

      <ExplorerTree
        rows={rows}
        canCreateRevision={canCreateItem}
        canCreateRouting={canCreateRouting}
        focusRequest={focusRequest}
        onFocusRequestDone={() => setFocusRequest(null)}
        onSetExpanded={setExpanded}
        onLoadMore={(row, retry) => loadMore(row, { retry })}
        onNearEnd={onNearEnd}
        onOpenRouting={(routing) => navigate(`/routings/${encodeURIComponent(routing.id)}`)}
        onNewRevision={(item) => setDialog({ kind: 'revision', itemId: item.id })}
        onNewRouting={(item, revision) => setDialog({ kind: 'routing', itemId: item.id, revisionId: revision.id })}
        onRangeChange={(start, end) => {
          range.current = { start, end };
        }}
      />

      {root.loaded && root.error && <QueryError error={root.error} onRetry={() => void onLoadMoreClick()} />}
      {root.loaded && root.hasMore && !root.error && (
        <div className="explorer__more">
          <button
            type="button"
            className="button"
            aria-disabled={root.loading || undefined}
            onClick={() => void onLoadMoreClick()}
          >
            {t('explorer.loadMore')}
          </button>
          {root.loading && <span className="muted">{t('explorer.loadingMore')}</span>}
        </div>
      )}

      {dialog?.kind === 'item' && (
        <NewItemDialog
          onCancel={() => setDialog(null)}
          onCreated={(item) => {
            data.dispatch({ type: 'itemCreated', item });
            setDialog(null);
            setFocusRequest(itemKey(item.id));
            setAnnouncement(t('explorer.created.item', { code: item.itemCode }));
          }}
        />
      )}
      {dialog?.kind === 'revision' && dialogItem && (
        <NewRevisionDialog
          item={dialogItem}
          onCancel={() => setDialog(null)}
          onCreated={(revision) => {
            data.dispatch({ type: 'revisionCreated', itemId: dialogItem.id, revision });
            setExpanded(itemKey(dialogItem.id), true);
            setDialog(null);
            setFocusRequest(revisionKey(revision.id));
            setAnnouncement(t('explorer.created.revision', { code: revision.code, item: dialogItem.itemCode }));
          }}
        />
      )}
      {dialog?.kind === 'routing' && dialogItem && dialogRevision && (
        <NewRoutingDialog
          item={dialogItem}
          revision={dialogRevision}
          onCancel={() => setDialog(null)}
          onCreated={(routing) => {
            data.dispatch({ type: 'routingUpserted', revisionId: dialogRevision.id, routing });
            setDialog(null);
            toasts.push({ title: t('explorer.created.routing', { code: routing.code }), severity: 'SUCCESS' });
            navigate(`/routings/${encodeURIComponent(routing.id)}`);
          }}
        />
      )}
    </section>
  );
}
