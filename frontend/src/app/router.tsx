import { useState } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { RequireSession } from '@/features/auth/components/RequireSession';
import { SignInPage } from '@/features/auth/components/SignInPage';
import { ExplorerPage } from '@/features/explorer/components/ExplorerPage';
import { NotFound } from './routes/NotFound';
import { PageLoading } from './routes/PageLoading';
import { AppShell } from './shell/AppShell';

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
        path: 'routings/:id',
        // Split out of the first download: the sign-in page and explorer do not need it.
        lazy: async () => {
          const { RoutingPage } = await import('@/features/routings/components/RoutingPage');
          return { Component: RoutingPage };
        },
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
