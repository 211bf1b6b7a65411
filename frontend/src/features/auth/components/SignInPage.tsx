import { useId, useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useI18n } from '@/i18n';
import { HttpError } from '@/lib/http';
import { useSession } from './SessionProvider';

interface FromState {
  from?: string;
  expired?: boolean;
}

/** Where to go after signing in: the page that sent us here, if it is one of ours. */
function destination(state: unknown): string {
  const from = (state as FromState | null)?.from;
  return from && from.startsWith('/') && !from.startsWith('//') && from !== '/sign-in' ? from : '/';
}

export function SignInPage() {
  const { t } = useI18n();
  const { state, signIn } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const errorId = useId();
  const expired = Boolean((location.state as FromState | null)?.expired);

  if (state.status === 'signedIn' && !submitting) {
    return <Navigate to={destination(location.state)} replace />;
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError(t('signIn.error.missing'));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
      navigate(destination(location.state), { replace: true });
    } catch (caught) {
      setPassword('');
      if (caught instanceof HttpError && caught.status === 401) setError(t('signIn.error.invalid'));
      else if (caught instanceof HttpError && caught.status === 429) setError(t('signIn.error.rateLimited'));
      else if (caught instanceof TypeError) setError(t('app.error.network'));
      else setError(t('signIn.error.other', { message: caught instanceof Error ? caught.message : String(caught) }));
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <form className="sign-in__card" onSubmit={onSubmit} noValidate aria-describedby={error ? errorId : undefined}>
        <h1 className="sign-in__title">{t('signIn.title')}</h1>
        <p className="sign-in__tagline">{t('app.tagline')}</p>
        {expired && !error && (
          <p className="notice" role="status">
            {t('session.expired')}
          </p>
        )}
        {error && (
          <p className="notice notice--error" role="alert" id={errorId}>
            {error}
          </p>
        )}
        <label className="field">
          <span className="field__label">{t('signIn.username')}</span>
          <input
            className="field__input"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={error ? true : undefined}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('signIn.password')}</span>
          <input
            className="field__input"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error ? true : undefined}
          />
        </label>
        <button type="submit" className="button button--primary" disabled={submitting}>
          {submitting ? t('signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
