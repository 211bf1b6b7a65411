import { useState } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { useSession, useSignedInUser } from '@/features/auth/components/SessionProvider';
import { useI18n } from '@/i18n';

/** The frame of every signed-in page: the app name, navigation, who is signed in, sign-out. */
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
      <main id="main" className="shell__main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
