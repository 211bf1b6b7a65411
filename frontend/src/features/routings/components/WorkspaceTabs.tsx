import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { useI18n, type MessageKey } from '@/i18n';

export const WORKSPACE_TABS = ['steps', 'files', 'approval', 'addin'] as const;
export type WorkspaceTab = (typeof WORKSPACE_TABS)[number];

export function isWorkspaceTab(value: string | undefined): value is WorkspaceTab {
  return (WORKSPACE_TABS as readonly string[]).includes(value ?? '');
}

export const TAB_LABEL: Record<WorkspaceTab, MessageKey> = {
  steps: 'routing.tab.steps',
  files: 'routing.tab.files',
  approval: 'routing.tab.approval',
  addin: 'routing.tab.addin',
};

export function tabPath(routingId: string, tab: WorkspaceTab): string {
  return `/routings/${encodeURIComponent(routingId)}/${tab}`;
}

export function tabId(baseId: string, tab: WorkspaceTab): string {
  return `${baseId}-tab-${tab}`;
}

export function panelId(baseId: string, tab: WorkspaceTab): string {
  return `${baseId}-panel-${tab}`;
}

export interface WorkspaceTabsProps {
  routingId: string;
  active: WorkspaceTab;
  baseId: string;
  stepsDirty: boolean;
}

/**
 * The workspace's ARIA tablist. Each tab is a link (`/routings/:id/:tab`), so a
 * tab can be bookmarked and survives a reload; arrow keys, Home and End move
 * between tabs and open them (automatic activation).
 */
export function WorkspaceTabs({ routingId, active, baseId, stepsDirty }: WorkspaceTabsProps) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const refs = useRef<Partial<Record<WorkspaceTab, HTMLAnchorElement | null>>>({});

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const index = WORKSPACE_TABS.indexOf(active);
    let next: number;
    switch (event.key) {
      case 'ArrowRight':
        next = (index + 1) % WORKSPACE_TABS.length;
        break;
      case 'ArrowLeft':
        next = (index - 1 + WORKSPACE_TABS.length) % WORKSPACE_TABS.length;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = WORKSPACE_TABS.length - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    const tab = WORKSPACE_TABS[next];
    if (!tab) return;
    navigate(tabPath(routingId, tab), { replace: true });
    refs.current[tab]?.focus();
  }

  return (
    <div role="tablist" aria-label={t('routing.tab.label')} className="tabs" onKeyDown={onKeyDown}>
      {WORKSPACE_TABS.map((tab) => {
        const selected = tab === active;
        return (
          <Link
            key={tab}
            ref={(element) => {
              refs.current[tab] = element;
            }}
            role="tab"
            id={tabId(baseId, tab)}
            aria-selected={selected}
            aria-controls={panelId(baseId, tab)}
            tabIndex={selected ? 0 : -1}
            className={`tabs__tab${selected ? ' tabs__tab--active' : ''}`}
            to={tabPath(routingId, tab)}
            replace
          >
            {t(TAB_LABEL[tab])}
            {tab === 'steps' && stepsDirty && (
              <span className="tabs__dirty">
                <span aria-hidden="true"> •</span>
                <span className="visually-hidden"> {t('routing.tab.unsaved')}</span>
              </span>
            )}
          </Link>
        );
      })}
    </div>
  );
}

/** One tab's panel, labelled by its tab; hidden (not unmounted) while another tab is active. */
export function TabPanel({
  baseId,
  tab,
  active,
  children,
}: {
  baseId: string;
  tab: WorkspaceTab;
  active: WorkspaceTab;
  children: ReactNode;
}) {
  return (
    <div
      role="tabpanel"
      id={panelId(baseId, tab)}
      aria-labelledby={tabId(baseId, tab)}
      hidden={active !== tab}
      className="tabs__panel"
      tabIndex={0}
    >
      {children}
    </div>
  );
}
