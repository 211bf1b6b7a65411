import { Link } from 'react-router';
import { useI18n } from '@/i18n';

export function NotFound() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="not-found-title">
      <title>{`${t('app.notFound.title')} · ${t('app.name')}`}</title>
      <h1 id="not-found-title">{t('app.notFound.title')}</h1>
      <p>{t('app.notFound.body')}</p>
      <p>
        <Link to="/">{t('app.notFound.back')}</Link>
      </p>
    </section>
  );
}
