import { Link, useParams } from 'react-router';
import { useSignedInUser } from '@/features/auth/components/SessionProvider';
import { useI18n, type MessageKey } from '@/i18n';
import { can } from '@/lib/permissions';
import { AddinKeysSection } from './AddinKeysSection';
import { ParametersSection } from './ParametersSection';
import { TokensSection } from './TokensSection';
import { UsersSection } from './UsersSection';
import '../admin.css';

const SECTIONS = [
  { slug: 'users', label: 'admin.section.users', Component: UsersSection },
  { slug: 'tokens', label: 'admin.section.tokens', Component: TokensSection },
  { slug: 'addin-keys', label: 'admin.section.addinKeys', Component: AddinKeysSection },
  { slug: 'parameters', label: 'admin.section.parameters', Component: ParametersSection },
] as const satisfies readonly { slug: string; label: MessageKey; Component: () => unknown }[];

/** `/admin/:section?`: the administrators' console (users and roles, API tokens, add-in keys, parameter sets). */
export function AdminPage() {
  const { t } = useI18n();
  const user = useSignedInUser();
  const { section: slug = 'users' } = useParams();
  const section = SECTIONS.find((candidate) => candidate.slug === slug);
  const pageTitle = section ? `${t(section.label)} · ${t('admin.title')}` : t('admin.title');

  if (!can(user, 'manageUsers')) {
    return (
      <section className="page" aria-labelledby="admin-title">
        <title>{`${t('admin.title')} · ${t('app.name')}`}</title>
        <h1 id="admin-title">{t('admin.title')}</h1>
        <div className="notice notice--error" role="alert">
          <p>
            <strong>{t('admin.onlyAdmins.title')}</strong>
          </p>
          <p>{t('admin.onlyAdmins.body', { role: t(`role.${user.role}`) })}</p>
        </div>
      </section>
    );
  }

  return (
    <section className="page admin" aria-labelledby="admin-title">
      <title>{`${pageTitle} · ${t('app.name')}`}</title>
      <h1 id="admin-title">{t('admin.title')}</h1>
      <nav className="admin-tabs" aria-label={t('admin.sections')}>
        <ul>
          {SECTIONS.map((candidate) => (
            <li key={candidate.slug}>
              <Link
                to={`/admin/${candidate.slug}`}
                className="admin-tabs__link"
                aria-current={candidate.slug === section?.slug ? 'page' : undefined}
              >
                {t(candidate.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {section ? (
        <section.Component key={section.slug} />
      ) : (
        <p className="notice" role="status">
          {t('admin.unknownSection', { section: slug })}
        </p>
      )}
    </section>
  );
}
