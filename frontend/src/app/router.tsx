import { useState } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { RequireSession } from '@/features/auth/components/RequireSession';
import { SignInPage } from '@/features/auth/components/SignInPage';
import { ExplorerPage } from '@/features/explorer/components/ExplorerPage';
import { NotFound } from './routes/NotFound';
import { PageLoading } from './routes/PageLoading';
import { AppShell } from './shell/AppShell';

// Pages other than the explorer are split out of the first download: they load
// when first visited.
export const routes: RouteObject[] = [
  { path: '/sign-in', element: <SignInPage /> },
  {
    path: '/',
    // Shown while a lazily loaded page's code arrives on the first load (a deep link).
    hydrateFallbackElement: <PageLoading />,
    element: (
      <RequireSession>
        <AppShell />
      </RequireSession>
    ),
    children: [
      { index: true, element: <ExplorerPage /> },
      {
        path: 'routings/:id/:tab?',
        lazy: async () => ({ Component: (await import('./routes/RoutingRoute')).RoutingRoute }),
      },
      {
        path: 'approvals',
        lazy: async () => ({
          Component: (await import('@/features/approvals/components/ApprovalsInboxPage')).ApprovalsInboxPage,
        }),
      },
      {
        path: 'addin',
        lazy: async () => ({ Component: (await import('@/features/addin/components/AddinPanelPage')).AddinPanelPage }),
      },
      {
        path: 'admin/:section?',
        lazy: async () => ({ Component: (await import('@/features/admin/components/AdminPage')).AdminPage }),
      },
      {
        path: 'alerts',
        lazy: async () => ({ Component: (await import('@/features/alerts/components/AlertsPage')).AlertsPage }),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
];

export function AppRouter() {
  // Created once, on mount (not at import time, so tests can import the routes).
  const [router] = useState(() => createBrowserRouter(routes));
  return <RouterProvider router={router} />;
}
