import { fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { routes } from '@/app/router';
import { jsonResponse, stubFetch } from '@/testing/fakeServer';
import { renderRoutes } from '@/testing/render';

type Handler = (body: unknown) => { status: number; json: unknown };

/** A fake server: `/graphql` answers by operation name, `/auth/login` by the given handler. */
function fakeServer(login: Handler, graphqlData: Record<string, unknown> = {}) {
  const calls: string[] = [];
  stubFetch({
    graphql({ operationName }) {
      calls.push(operationName);
      return { data: graphqlData[operationName] ?? null };
    },
    other({ url, init }) {
      if (!url.endsWith('/auth/login')) return jsonResponse(404, {});
      calls.push('login');
      const { status, json } = login(init?.body ? JSON.parse(String(init.body)) : undefined);
      return jsonResponse(status, json);
    },
  });
  return calls;
}

function renderAt(path: string) {
  return renderRoutes(routes, path).router;
}

const engineer = { id: '1', username: 'engineer', displayName: 'Erin Engineer', role: 'ENGINEER' };

describe('sign-in', () => {
  beforeEach(() => vi.useRealTimers());
  afterEach(() => vi.unstubAllGlobals());

  it('sends a signed-out visitor to the sign-in page, with labelled inputs', async () => {
    fakeServer(() => ({ status: 500, json: {} }), { Me: { me: null } });
    const router = renderAt('/');
    expect(await screen.findByRole('heading', { name: 'Sign in to MCMS' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(screen.getByLabelText('Username')).toBeTruthy();
    expect(screen.getByLabelText('Password')).toBeTruthy();
  });

  it('says the credentials are wrong on 401 and clears the password', async () => {
    fakeServer(() => ({ status: 401, json: { detail: 'Wrong username or password.', code: 'UNAUTHENTICATED' } }), {
      Me: { me: null },
    });
    renderAt('/sign-in');
    fireEvent.change(await screen.findByLabelText('Username'), { target: { value: 'engineer' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The username or password is incorrect.');
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
  });

  it('signs in, opens the explorer and shows who is signed in', async () => {
    const calls = fakeServer(() => ({ status: 200, json: { user: engineer } }), {
      Me: { me: null },
      ExplorerItems: {
        items: {
          __typename: 'ItemConnection',
          totalCount: 1,
          pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
          edges: [
            {
              __typename: 'ItemEdge',
              node: {
                __typename: 'Item',
                id: '7',
                itemCode: 'BRK-100',
                name: 'Bracket',
                revisions: {
                  __typename: 'RevisionConnection',
                  totalCount: 1,
                  edges: [
                    {
                      __typename: 'RevisionEdge',
                      node: {
                        __typename: 'Revision',
                        id: '8',
                        code: 'A',
                        routings: {
                          __typename: 'RoutingConnection',
                          totalCount: 1,
                          edges: [
                            {
                              __typename: 'RoutingEdge',
                              node: {
                                __typename: 'Routing',
                                id: '9',
                                code: 'R-1',
                                title: 'Mill and drill',
                                status: 'PENDING_APPROVAL',
                                version: 2,
                              },
                            },
                          ],
                        },
                      },
                    },
                  ],
                },
              },
            },
          ],
        },
      },
    });
    const router = renderAt('/sign-in');
    fireEvent.change(await screen.findByLabelText('Username'), { target: { value: 'engineer' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'engineer-demo' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Explorer' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/');
    expect(screen.getByText('Erin Engineer')).toBeTruthy();
    expect(screen.getByText('Engineer')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
    const link = await screen.findByRole('link', { name: /R-1/ });
    expect(link.getAttribute('href')).toBe('/routings/9');
    expect(link.closest('li')?.querySelector('.badge')?.textContent).toBe('Status: Pending approval');
    expect(calls).toEqual(['Me', 'login', 'ExplorerItems']);
  });
});
