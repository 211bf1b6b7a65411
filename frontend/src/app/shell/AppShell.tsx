import { useState } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { ConnectionBanner } from '@/components/ConnectionBanner';
import { AlertsWatcher } from '@/features/alerts/components/AlertsWatcher';
import { useSession, useSignedInUser } from '@/features/auth/components/SessionProvider';
import { useI18n } from '@/i18n';
import { LiveProvider } from '@/lib/live/LiveProvider';
import { can } from '@/lib/permissions';

/** The frame of every signed-in page: the app name, navigation for the user's role,
 * who is signed in, sign-out, the live connection and its banner, alerts. */
export function AppShell() {
  const { t } = useI18n();
  const user = useSignedInUser();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const [leaving, setLeaving] = useState(false);

  async function onSignOut() {
    setLeaving(true);
    try {
      await signOut();
    } finally {
      navigate('/sign-in', { replace: true });
    }
  }

  return (
    <LiveProvider>
    <AlertsWatcher />
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="shell__header">
        <Link className="shell__brand" to="/">
          {t('app.name')}
        </Link>
        <nav className="shell__nav" aria-label={t('nav.main')}>
          <NavLink to="/" end>
            {t('nav.explorer')}
          </NavLink>
          {can(user, 'approveRouting') && <NavLink to="/approvals">{t('nav.approvals')}</NavLink>}
          <NavLink to="/addin">{t('nav.addin')}</NavLink>
          {can(user, 'manageUsers') && <NavLink to="/admin">{t('nav.admin')}</NavLink>}
          <NavLink to="/alerts">{t('nav.alerts')}</NavLink>
        </nav>
        <div className="shell__user">
          <span className="shell__user-name" title={user.username}>
            <span className="visually-hidden">{t('session.signedInAs')} </span>
            {user.displayName}
          </span>
          <span className="shell__user-role">
            <span className="visually-hidden">{t('session.role')} </span>
            {t(`role.${user.role}`)}
          </span>
          <button type="button" className="button" onClick={onSignOut} disabled={leaving}>
            {t('session.signOut')}
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <main id="main" className="shell__main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
    </LiveProvider>
  );
}
