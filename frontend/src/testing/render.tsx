// Renders for unit tests: routes in a memory router, inside the app's providers.
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import { AppProvider } from '@/app/provider';
import { RequireSession } from '@/features/auth/components/RequireSession';
import { LiveProvider } from '@/lib/live/LiveProvider';
import type { FakeLive } from './fakeLive';

/** Renders `routes` at `path` with the app's providers around them. */
export function renderRoutes(routes: RouteObject[], path = '/') {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(
    <AppProvider>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return { ...view, router };
}

/** Renders `element` at `path` (any path) for the signed-in user, with `live` as the live connection. */
export function renderPage(element: ReactNode, live: FakeLive, path = '/') {
  return renderRoutes(
    [
      {
        path: '*',
        element: (
          <RequireSession>
            <LiveProvider connection={live.connection}>{element}</LiveProvider>
          </RequireSession>
        ),
      },
    ],
    path,
  );
}
