import { useCallback, useId, useState, type ReactNode } from 'react';
import { Link, Navigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { QueryError } from '@/components/QueryError';
import { useSignedInUser } from '@/features/auth/components/SessionProvider';
import { graphql } from '@/gql';
import type { WorkspaceRoutingFieldsFragment } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { errorCode } from '@/lib/graphql-client';
import { useLiveRefresh } from '@/lib/live/LiveProvider';
import { can, canEditRouting, type Actor } from '@/lib/permissions';
import { ApprovalPanel } from './ApprovalPanel';
import { StepsEditor } from './StepsEditor';
import { latestRejection, useRoutingHistory } from './useRoutingHistory';
import { WorkspaceHeader } from './WorkspaceHeader';
import { isWorkspaceTab, TAB_LABEL, TabPanel, WorkspaceTabs, type WorkspaceTab } from './WorkspaceTabs';
import '../routings.css';

export const WorkspaceRoutingFieldsFragmentDoc = graphql(`
  fragment WorkspaceRoutingFields on Routing {
    id
    code
    title
    description
    status
    version
    camRevision
    generationStatus
    lastAddinJobId
    lastGeneratedAt
    submittedAt
    approvedAt
    createdAt
    updatedAt
    owner {
      id
      username
      displayName
    }
    approvedBy {
      id
      username
      displayName
    }
    revision {
      id
      code
      item {
        id
        itemCode
        name
      }
    }
    steps {
      id
      sequence
      name
      workCenter
      machine
      description
      setupMinutes
      cycleMinutes
      toolingNotes
      parameters {
        key
        value
      }
    }
  }
`);

export const RoutingWorkspaceQuery = graphql(`
  query RoutingWorkspace($id: ID!) {
    routing(id: $id) {
      ...WorkspaceRoutingFields
    }
  }
`);

/** What the workspace hands to the tabs that other features provide. */
export interface WorkspaceTabContext {
  routingId: string;
  ownerId: string;
  /** Whether the signed-in user may edit (and upload to) the routing now. */
  canEdit: boolean;
}

export interface RoutingWorkspaceProps {
  renderFiles(context: WorkspaceTabContext): ReactNode;
  renderAddin(context: WorkspaceTabContext): ReactNode;
}

const LIVE_EVENTS = ['routing.approval.changed', 'addin.job.created', 'addin.job.updated'] as const;

/** `/routings/:id/:tab?`: one routing's workspace, with tabs Steps, Files, Approval and Add-in. */
export function RoutingWorkspace(props: RoutingWorkspaceProps) {
  const { id = '' } = useParams();
  // A different routing starts afresh (no draft carries over).
  return <Workspace key={id} routingId={id} {...props} />;
}

function readOnlyReason(
  user: Actor,
  routing: WorkspaceRoutingFieldsFragment,
  t: ReturnType<typeof useI18n>['t'],
): string | null {
  if (canEditRouting(user, routing)) return null;
  if (routing.status !== 'DRAFT' && routing.status !== 'REJECTED') {
    return t('steps.readOnly.status', { status: t(`status.${routing.status}`) });
  }
  if (!can(user, 'editRouting')) return t('steps.readOnly.role');
  return t('steps.readOnly.owner', { owner: routing.owner.displayName });
}

function Workspace({ routingId, renderFiles, renderAddin }: RoutingWorkspaceProps & { routingId: string }) {
  const { t } = useI18n();
  const user = useSignedInUser();
  const { tab } = useParams();
  const baseId = useId();
  const [stepsDirty, setStepsDirty] = useState(false);
  const [{ data, error }, reexecute] = useQuery({ query: RoutingWorkspaceQuery, variables: { id: routingId } });
  const history = useRoutingHistory(routingId);
  const refreshHistory = history.refresh;

  const reloadRouting = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const refresh = useCallback(() => {
    reloadRouting();
    refreshHistory();
  }, [reloadRouting, refreshHistory]);

  useLiveRefresh(LIVE_EVENTS, refresh, (event) => 'routingId' in event.payload && event.payload.routingId === routingId);

  if (tab !== undefined && !isWorkspaceTab(tab)) {
    return <Navigate to={`/routings/${encodeURIComponent(routingId)}`} replace />;
  }
  const active: WorkspaceTab = tab ?? 'steps';
  const routing = data?.routing;

  if (!routing) {
    if (error) {
      const code = errorCode(error);
      const notFound = code === 'NOT_FOUND' || code === 'INVALID_ARGUMENT';
      const forbidden = code === 'FORBIDDEN';
      const heading = notFound
        ? t('routing.notFound.title')
        : forbidden
          ? t('routing.forbidden.title')
          : t('routing.error.title');
      return (
        <section className="workspace workspace--error" aria-labelledby="routing-title">
          <title>{`${heading} · ${t('app.name')}`}</title>
          <h1 id="routing-title">{heading}</h1>
          {notFound || forbidden ? (
            <p className="notice notice--error" role="alert">
              {notFound ? t('routing.notFound') : t('routing.forbidden')}
            </p>
          ) : (
            <QueryError error={error} onRetry={reloadRouting} />
          )}
          <p>
            <Link to="/">{t('routing.back')}</Link>
          </p>
        </section>
      );
    }
    if (data) {
      // The server answered: there is no such routing (or it may not be seen).
      return (
        <section className="workspace workspace--error" aria-labelledby="routing-title">
          <title>{`${t('routing.notFound.title')} · ${t('app.name')}`}</title>
          <h1 id="routing-title">{t('routing.notFound.title')}</h1>
          <p className="notice notice--error" role="alert">
            {t('routing.notFound')}
          </p>
          <p>
            <Link to="/">{t('routing.back')}</Link>
          </p>
        </section>
      );
    }
    return (
      <section className="workspace" aria-busy="true">
        <title>{`${t('routing.loading')} · ${t('app.name')}`}</title>
        <p role="status">{t('routing.loading')}</p>
      </section>
    );
  }

  const canEdit = canEditRouting(user, routing);
  const context: WorkspaceTabContext = { routingId: routing.id, ownerId: routing.owner.id, canEdit };
  const rejection = routing.status === 'REJECTED' ? latestRejection(history.entries) : null;

  return (
    <article className="workspace" aria-labelledby="routing-title">
      <title>{`${t('routing.pageTitle', { code: routing.code, title: routing.title, tab: t(TAB_LABEL[active]) })} · ${t('app.name')}`}</title>
      <WorkspaceHeader routing={routing} userId={user.id} rejection={rejection} canEdit={canEdit} />
      {error && (
        <div className="workspace__stale">
          <p className="hint">{t('routing.refreshFailed')}</p>
          <QueryError error={error} onRetry={reloadRouting} />
        </div>
      )}
      <WorkspaceTabs routingId={routing.id} active={active} baseId={baseId} stepsDirty={stepsDirty} />

      <TabPanel baseId={baseId} tab="steps" active={active}>
        {/* Always mounted: unsaved edits survive a visit to another tab. */}
        <StepsEditor
          routing={routing}
          history={history.entries}
          readOnlyReason={readOnlyReason(user, routing, t)}
          onDirtyChange={setStepsDirty}
          reload={refresh}
          onSaved={refreshHistory}
        />
      </TabPanel>
      <TabPanel baseId={baseId} tab="files" active={active}>
        {active === 'files' && renderFiles(context)}
      </TabPanel>
      <TabPanel baseId={baseId} tab="approval" active={active}>
        {active === 'approval' && (
          <ApprovalPanel routing={routing} history={history} stepsDirty={stepsDirty} onChanged={refresh} />
        )}
      </TabPanel>
      <TabPanel baseId={baseId} tab="addin" active={active}>
        {active === 'addin' && renderAddin(context)}
      </TabPanel>
    </article>
  );
}
