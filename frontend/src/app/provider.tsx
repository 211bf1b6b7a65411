import type { ReactNode } from 'react';
import { ToastProvider } from '@/components/Toasts';
import { SessionProvider } from '@/features/auth/components/SessionProvider';
import { I18nProvider } from '@/i18n';
import { GraphQLProvider } from '@/lib/graphql-client';

/** Everything the pages need above them: strings, the GraphQL client, the session. */
export function AppProvider({ children }: { children: ReactNode }) {
  return (
    <I18nProvider locale="en">
      <GraphQLProvider>
        <ToastProvider>
          <SessionProvider>{children}</SessionProvider>
        </ToastProvider>
      </GraphQLProvider>
    </I18nProvider>
  );
}
