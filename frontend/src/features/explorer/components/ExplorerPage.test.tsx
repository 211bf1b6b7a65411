import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeLive } from '@/testing/fakeLive';
import {
  connection,
  fakeServer,
  item,
  itemsHandler,
  renderExplorer,
  revision,
  routing,
  userOf,
  type Handler,
  type ItemData,
} from './explorer-testing';

afterEach(() => vi.unstubAllGlobals());

const me = (role: Parameters<typeof userOf>[0]): Handler => () => ({ data: { me: userOf(role) } });

function bracket(): ItemData {
  return item('7', 'BRK-100', 'Bracket', [
    revision('8', 'A', [
      routing('9', 'R-1', 'Mill and drill', 'PENDING_APPROVAL'),
      routing('10', 'R-2', 'Deburr', 'APPROVED', 'SUCCEEDED'),
    ]),
  ]);
}

/** `items` items, each with one revision of `routingsEach` routings (all in the first page). */
function bigTree(items: number, routingsEach: number): ItemData[] {
  return Array.from({ length: items }, (_, i) => {
    const n = String(i).padStart(4, '0');
    const routings = Array.from({ length: routingsEach }, (_, j) =>
      routing(`${i}-${j}`, `R-${n}-${String(j).padStart(3, '0')}`, `Routing ${j} of item ${n}`),
    );
    return item(`i${i}`, `ITEM-${n}`, `Part ${n}`, [revision(`v${i}`, 'A', routings)]);
  });
}

const treeitems = () => screen.getAllByRole('treeitem');
const focusedRow = () => document.activeElement as HTMLElement;

describe('explorer tree', () => {
  it('shows items, revisions and routings as an ARIA tree with status and generation badges', async () => {
    fakeServer({ Me: me('ENGINEER'), ExplorerItems: itemsHandler([bracket()]) });
    renderExplorer();

    const tree = await screen.findByRole('tree', { name: 'Items, revisions and routings' });
    const rows = within(tree).getAllByRole('treeitem');
    expect(rows.map((row) => [row.getAttribute('aria-level'), row.getAttribute('aria-posinset'), row.getAttribute('aria-setsize')])).toEqual([
      ['1', '1', '1'],
      ['2', '1', '1'],
      ['3', '1', '2'],
      ['3', '2', '2'],
    ]);
    expect(rows[0]?.getAttribute('aria-expanded')).toBe('true');
    expect(rows[2]?.hasAttribute('aria-expanded')).toBe(false);
    const link = screen.getByRole('link', { name: 'R-1 Mill and drill' });
    expect(link.getAttribute('href')).toBe('/routings/9');
    const approved = screen.getByRole('link', { name: 'R-2 Deburr' }).closest('li') as HTMLElement;
    expect(approved.querySelector('[data-status]')?.textContent).toBe('Status: Approved');
    expect(approved.querySelector('[data-generation]')?.textContent).toBe('Generated');
    // No generation badge while NONE.
    expect(link.closest('li')?.querySelector('[data-generation]')).toBeNull();
    expect(screen.getByText('1 item').getAttribute('role')).toBe('status');
  });

  it('renders only the rows in view of 10,000 routings, and scrolling changes which', async () => {
    const server = fakeServer({ Me: me('AUDITOR'), ExplorerItems: itemsHandler(bigTree(100, 100)) });
    renderExplorer();
    await screen.findByRole('tree');
    // 25 items came with the first page: 2,550 rows, of which only a window is in the DOM.
    expect(screen.getByText('25 of 100 items shown')).toBeTruthy();
    const first = treeitems();
    expect(first.length).toBeLessThan(60);
    expect(screen.getByRole('link', { name: /R-0000-000/ })).toBeTruthy();
    expect(screen.queryByRole('link', { name: /R-0020-000/ })).toBeNull();

    const viewport = screen.getByTestId('explorer-viewport');
    // Row 20 × 102 = item 20's row; its routings follow.
    act(() => {
      viewport.scrollTop = 20 * 102 * 40;
      fireEvent.scroll(viewport);
    });
    expect(screen.getByRole('link', { name: /R-0020-000/ })).toBeTruthy();
    expect(screen.queryByRole('link', { name: /R-0000-000/ })).toBeNull();
    expect(treeitems().length).toBeLessThan(60);

    // Near the end, the next page of items is loaded by itself, each time.
    expect(server.callsOf('ExplorerItems')).toHaveLength(1);
    for (const loaded of [25, 50, 75]) {
      act(() => {
        viewport.scrollTop = loaded * 102 * 40 - 600;
        fireEvent.scroll(viewport);
      });
      await waitFor(() => expect(server.callsOf('ExplorerItems')).toHaveLength(loaded / 25 + 1));
      expect(server.callsOf('ExplorerItems')[loaded / 25]?.variables).toMatchObject({ first: 25, after: String(loaded) });
    }
    await screen.findByText('100 items');
    act(() => {
      viewport.scrollTop = 10200 * 40 - 600;
      fireEvent.scroll(viewport);
    });
    expect(screen.getByRole('link', { name: /R-0099-099/ })).toBeTruthy();
    expect(treeitems().length).toBeLessThan(60);
    expect(screen.queryByRole('button', { name: 'Load more items' })).toBeNull();
  });

  it('loads the further routings of a revision with many, page by page, until all are reachable', async () => {
    const all = Array.from({ length: 250 }, (_, j) => routing(`r${j}`, `R-${String(j).padStart(3, '0')}`, `Op ${j}`));
    const server = fakeServer({
      Me: me('ENGINEER'),
      ExplorerItems: itemsHandler([
        item('1', 'BIG', 'Many routings', [revision('2', 'A', all.slice(0, 100), { total: 250, hasNextPage: true, endCursor: '100' })]),
      ]),
      ExplorerRevisionRoutings: (variables) => {
        const offset = Number(variables.after);
        const page = all.slice(offset, offset + Number(variables.first));
        const end = offset + page.length;
        return {
          data: {
            revision: {
              __typename: 'Revision',
              id: '2',
              routings: {
                __typename: 'RoutingConnection',
                totalCount: 250,
                pageInfo: { __typename: 'PageInfo', hasNextPage: end < 250, endCursor: String(end) },
                edges: page.map((node) => ({ __typename: 'RoutingEdge', node })),
              },
            },
          },
        };
      },
    });
    renderExplorer();
    await screen.findByRole('tree');
    const viewport = screen.getByTestId('explorer-viewport');
    const scrollToEnd = (rows: number) =>
      act(() => {
        viewport.scrollTop = rows * 40 - 600;
        fireEvent.scroll(viewport);
      });
    // Item, revision, 100 routings and the "more" row, which loads the next page once in view.
    const pages = () => server.callsOf('ExplorerRevisionRoutings');
    expect(screen.queryByRole('link', { name: /R-099/ })).toBeNull();
    scrollToEnd(103);
    expect(screen.getByRole('link', { name: /R-099/ })).toBeTruthy();
    await waitFor(() => expect(pages()).toHaveLength(1));
    scrollToEnd(203);
    expect(await screen.findByRole('link', { name: /R-199/ })).toBeTruthy();
    await waitFor(() => expect(pages()).toHaveLength(2));
    scrollToEnd(252);
    expect(await screen.findByRole('link', { name: /R-249/ })).toBeTruthy();
    expect(server.callsOf('ExplorerRevisionRoutings').map((call) => call.variables)).toEqual([
      { id: '2', status: null, first: 100, after: '100' },
      { id: '2', status: null, first: 100, after: '200' },
    ]);
    expect(screen.queryByRole('button', { name: /Show more routings/ })).toBeNull();
    expect(screen.getByRole('link', { name: /R-249/ }).closest('li')?.getAttribute('aria-setsize')).toBe('250');
  });

  it('is navigable with the keyboard: arrows, Home, End, Left/Right to collapse, expand and go up, Enter opens', async () => {
    fakeServer({
      Me: me('AUDITOR'),
      ExplorerItems: itemsHandler([
        bracket(),
        item('20', 'PLT-200', 'Plate', [revision('21', 'A', [routing('22', 'P-1', 'Face mill')])]),
      ]),
    });
    const { router } = renderExplorer();
    await screen.findByRole('tree');
    const rows = treeitems();
    // One row in the tab order.
    expect(rows.filter((row) => row.tabIndex === 0)).toHaveLength(1);
    const bracketRow = rows[0] as HTMLElement;
    act(() => bracketRow.focus());

    const press = (key: string) => fireEvent.keyDown(focusedRow(), { key });
    press('ArrowDown');
    expect(focusedRow().textContent).toContain('Revision A');
    expect(focusedRow().tabIndex).toBe(0);
    expect(bracketRow.tabIndex).toBe(-1);
    press('ArrowLeft'); // collapse the revision
    expect(focusedRow().getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('link', { name: /R-1/ })).toBeNull();
    press('ArrowRight'); // expand it again
    expect(focusedRow().getAttribute('aria-expanded')).toBe('true');
    press('ArrowRight'); // to its first routing
    expect(focusedRow().textContent).toContain('R-1');
    press('ArrowLeft'); // up to the revision
    press('ArrowLeft'); // collapse it
    press('ArrowLeft'); // up to the item
    expect(focusedRow().textContent).toContain('BRK-100');
    press('ArrowLeft'); // collapse the item
    expect(focusedRow().getAttribute('aria-expanded')).toBe('false');
    press('ArrowDown');
    expect(focusedRow().textContent).toContain('PLT-200');
    press('Home');
    expect(focusedRow().textContent).toContain('BRK-100');
    press('Enter'); // Enter on an item toggles it
    expect(focusedRow().getAttribute('aria-expanded')).toBe('true');
    press('End');
    expect(focusedRow().textContent).toContain('P-1');
    press('ArrowUp');
    expect(focusedRow().textContent).toContain('Revision A');
    press('ArrowDown');
    press('Enter');
    await screen.findByRole('heading', { name: 'Workspace 22' });
    expect(router.state.location.pathname).toBe('/routings/22');
  });

  it('keeps the focused row rendered while scrolling it out of view', async () => {
    fakeServer({ Me: me('AUDITOR'), ExplorerItems: itemsHandler(bigTree(10, 100)) });
    renderExplorer();
    await screen.findByRole('tree');
    const first = treeitems()[0] as HTMLElement;
    act(() => first.focus());
    const viewport = screen.getByTestId('explorer-viewport');
    act(() => {
      viewport.scrollTop = 500 * 40;
      fireEvent.scroll(viewport);
    });
    expect(document.activeElement).toBe(first);
    expect(first.isConnected).toBe(true);
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    expect(focusedRow().textContent).toContain('Revision A');
  });
});

describe('search and status filter', () => {
  it('sends the search and the status to the server and keeps them in the URL', async () => {
    const server = fakeServer({ Me: me('ENGINEER'), ExplorerItems: itemsHandler([bracket()]) });
    const { router } = renderExplorer('/?status=APPROVED');
    await screen.findByRole('tree');
    expect(server.callsOf('ExplorerItems')[0]?.variables).toMatchObject({ status: 'APPROVED', search: null });
    expect((screen.getByLabelText('Routing status') as HTMLSelectElement).value).toBe('APPROVED');

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search items' }), { target: { value: 'BRK' } });
    await waitFor(() => expect(server.callsOf('ExplorerItems')).toHaveLength(2));
    expect(server.callsOf('ExplorerItems')[1]?.variables).toMatchObject({ search: 'BRK', status: 'APPROVED', after: null });
    expect(router.state.location.search).toBe('?status=APPROVED&q=BRK');

    fireEvent.change(screen.getByLabelText('Routing status'), { target: { value: '' } });
    await waitFor(() => expect(server.callsOf('ExplorerItems')).toHaveLength(3));
    expect(server.callsOf('ExplorerItems')[2]?.variables).toMatchObject({ search: 'BRK', status: null });
  });

  it('hides revisions and items without a routing in the filtered status', async () => {
    fakeServer({
      Me: me('ENGINEER'),
      ExplorerItems: itemsHandler([
        item('1', 'A-1', 'Has one', [revision('2', 'A', [routing('3', 'R-1', 'Match', 'DRAFT')]), revision('4', 'B', [])]),
        item('5', 'B-1', 'Has none', [revision('6', 'A', [])]),
      ]),
    });
    renderExplorer('/?status=DRAFT');
    await screen.findByRole('tree');
    expect(treeitems().map((row) => row.getAttribute('aria-level'))).toEqual(['1', '2', '3']);
    expect(screen.queryByText('B-1')).toBeNull();
    expect(screen.getByText('1 of 2 items have routings with this status')).toBeTruthy();
  });
});

describe('creating from the explorer', () => {
  it('creates an item: checks the fields, sends them, shows the new item in the tree', async () => {
    const server = fakeServer({
      Me: me('ENGINEER'),
      ExplorerItems: itemsHandler([bracket()]),
      ExplorerCreateItem: (variables) => {
        const input = variables.input as { itemCode: string; name: string };
        if (input.itemCode === 'BRK-100')
          return { errors: [{ message: 'exists', extensions: { code: 'CONFLICT' } }], data: null };
        return { data: { createItem: { __typename: 'Item', id: '50', itemCode: input.itemCode, name: input.name } } };
      },
    });
    renderExplorer();
    await screen.findByRole('tree');
    const opener = screen.getByRole('button', { name: 'New item' });
    act(() => opener.focus());
    fireEvent.click(opener);
    const dialog = await screen.findByRole('dialog', { name: 'New item' });
    const code = within(dialog).getByLabelText('Item code');
    expect(document.activeElement).toBe(code);

    // Nothing typed: inline errors, nothing sent.
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create item' }));
    expect(await within(dialog).findByText('Item code is required.')).toBeTruthy();
    expect(within(dialog).getByText('Item name is required.')).toBeTruthy();
    expect(code.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(code);
    fireEvent.change(code, { target: { value: '#bad' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create item' }));
    expect(within(dialog).getByText(/Item code must start with a letter or digit/)).toBeTruthy();
    expect(server.callsOf('ExplorerCreateItem')).toHaveLength(0);

    // A duplicate code: the server's CONFLICT, in an alert.
    fireEvent.change(code, { target: { value: 'BRK-100' } });
    fireEvent.change(within(dialog).getByLabelText('Item name'), { target: { value: 'Copy' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create item' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'An item with code BRK-100 already exists. Choose another code.',
    );

    fireEvent.change(code, { target: { value: ' SHF-300 ' } });
    fireEvent.change(within(dialog).getByLabelText('Item name'), { target: { value: 'Shaft' } });
    fireEvent.change(within(dialog).getByLabelText(/Description/), { target: { value: 'Turned' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create item' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(server.callsOf('ExplorerCreateItem').at(-1)?.variables).toEqual({
      input: { itemCode: 'SHF-300', name: 'Shaft', description: 'Turned' },
    });
    // In the tree at once (no reload), in item-code order, focused.
    const items = treeitems().filter((row) => row.getAttribute('aria-level') === '1');
    expect(items.map((row) => row.querySelector('.explorer-tree__code')?.textContent)).toEqual(['BRK-100', 'SHF-300']);
    expect(items[1]?.getAttribute('aria-posinset')).toBe('2');
    await waitFor(() => expect(focusedRow().textContent).toContain('SHF-300'));
    expect(server.callsOf('ExplorerItems')).toHaveLength(1);
  });

  it('closes the form on Escape or Cancel and gives focus back to its button', async () => {
    fakeServer({ Me: me('ENGINEER'), ExplorerItems: itemsHandler([bracket()]) });
    renderExplorer();
    await screen.findByRole('tree');
    const opener = screen.getByRole('button', { name: 'New revision for BRK-100' });
    act(() => opener.focus());
    fireEvent.click(opener);
    const dialog = await screen.findByRole('dialog', { name: 'New revision of BRK-100' });
    fireEvent.keyDown(within(dialog).getByLabelText('Revision code'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);

    fireEvent.click(opener);
    const again = await screen.findByRole('dialog');
    fireEvent.click(within(again).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
  });

  it('creates a revision on an item and shows it under the item', async () => {
    const server = fakeServer({
      Me: me('ADMIN'),
      ExplorerItems: itemsHandler([bracket()]),
      ExplorerCreateRevision: (variables) => {
        const input = variables.input as { code: string };
        return { data: { createRevision: { __typename: 'Revision', id: '30', code: input.code } } };
      },
    });
    renderExplorer();
    await screen.findByRole('tree');
    fireEvent.click(screen.getByRole('button', { name: 'New revision for BRK-100' }));
    const dialog = await screen.findByRole('dialog', { name: 'New revision of BRK-100' });
    fireEvent.change(within(dialog).getByLabelText('Revision code'), { target: { value: 'B' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create revision' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(server.callsOf('ExplorerCreateRevision')[0]?.variables).toEqual({
      itemId: '7',
      input: { code: 'B', description: '' },
    });
    const row = await screen.findByRole('treeitem', { name: /^Revision B No routings yet/ });
    expect(row.getAttribute('aria-level')).toBe('2');
    expect(row.getAttribute('aria-posinset')).toBe('2');
    await waitFor(() => expect(document.activeElement).toBe(row));
    expect(within(row).getByRole('button', { name: 'New routing for BRK-100 revision B' })).toBeTruthy();
  });

  it('shows an INVALID_ARGUMENT refusal of the server in an alert', async () => {
    fakeServer({
      Me: me('ENGINEER'),
      ExplorerItems: itemsHandler([bracket()]),
      ExplorerCreateRevision: () => ({
        data: null,
        errors: [{ message: 'code is 20 characters long; the limit is 16.', extensions: { code: 'INVALID_ARGUMENT' } }],
      }),
    });
    renderExplorer();
    await screen.findByRole('tree');
    fireEvent.click(screen.getByRole('button', { name: 'New revision for BRK-100' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Revision code'), { target: { value: 'C' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create revision' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'The server refused this: code is 20 characters long; the limit is 16.',
    );
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('creates a routing in a revision and opens its workspace', async () => {
    const server = fakeServer({
      Me: me('ENGINEER'),
      ExplorerItems: itemsHandler([bracket()]),
      ExplorerCreateRouting: (variables) => {
        const input = variables.input as { code: string; title: string };
        return { data: { createRouting: routing('77', input.code, input.title) } };
      },
    });
    const { router } = renderExplorer();
    await screen.findByRole('tree');
    fireEvent.click(screen.getByRole('button', { name: 'New routing for BRK-100 revision A' }));
    const dialog = await screen.findByRole('dialog', { name: 'New routing in BRK-100 revision A' });
    expect(document.activeElement).toBe(within(dialog).getByLabelText('Routing code'));
    fireEvent.change(within(dialog).getByLabelText('Routing code'), { target: { value: 'R-3' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create routing' }));
    expect(await within(dialog).findByText('Title is required.')).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText('Title'), { target: { value: 'Grind' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create routing' }));
    await screen.findByRole('heading', { name: 'Workspace 77' });
    expect(router.state.location.pathname).toBe('/routings/77');
    expect(server.callsOf('ExplorerCreateRouting')[0]?.variables).toEqual({
      revisionId: '8',
      input: { code: 'R-3', title: 'Grind', description: '' },
    });
  });

  it.each(['AUDITOR', 'APPROVER'] as const)('shows no create buttons to an %s', async (role) => {
    fakeServer({ Me: me(role), ExplorerItems: itemsHandler([bracket()]) });
    renderExplorer();
    await screen.findByRole('tree');
    expect(screen.queryByRole('button', { name: 'New item' })).toBeNull();
    expect(screen.queryByRole('button', { name: /New revision/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /New routing/ })).toBeNull();
  });

  it('shows all create buttons to an engineer', async () => {
    fakeServer({ Me: me('ENGINEER'), ExplorerItems: itemsHandler([bracket()]) });
    renderExplorer();
    await screen.findByRole('tree');
    expect(screen.getByRole('button', { name: 'New item' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'New revision for BRK-100' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'New routing for BRK-100 revision A' })).toBeTruthy();
  });
});

describe('live updates', () => {
  it('changes a status badge when routing.approval.changed arrives, re-reading only that routing', async () => {
    const server = fakeServer({
      Me: me('ENGINEER'),
      ExplorerItems: itemsHandler([bracket()]),
      ExplorerRoutingRow: () => ({
        data: {
          routing: { ...routing('9', 'R-1', 'Mill and drill', 'APPROVED', 'QUEUED'), revision: { __typename: 'Revision', id: '8' } },
        },
      }),
    });
    const live = fakeLive();
    renderExplorer('/', live);
    await screen.findByRole('tree');
    act(() => live.open());
    const row = () => screen.getByRole('link', { name: 'R-1 Mill and drill' }).closest('li') as HTMLElement;
    expect(row().querySelector('[data-status]')?.textContent).toBe('Status: Pending approval');

    act(() =>
      live.deliver({
        name: 'routing.approval.changed',
        id: '41',
        payload: { routingId: '9', status: 'APPROVED', approvedBy: 'approver', timestamp: '2026-01-01T00:00:00Z' },
      }),
    );
    // At once, from the event.
    expect(row().querySelector('[data-status]')?.textContent).toBe('Status: Approved');
    // Then the one routing is read again, for its generation badge.
    await waitFor(() => expect(row().querySelector('[data-generation]')?.textContent).toBe('Generation queued'));
    expect(server.callsOf('ExplorerRoutingRow').map((call) => call.variables)).toEqual([{ id: '9' }]);
    expect(server.callsOf('ExplorerItems')).toHaveLength(1);
  });

  it('takes a routing out of a filtered tree when its status no longer matches', async () => {
    fakeServer({
      Me: me('APPROVER'),
      ExplorerItems: itemsHandler([
        item('7', 'BRK-100', 'Bracket', [
          revision('8', 'A', [
            routing('9', 'R-1', 'Mill and drill', 'PENDING_APPROVAL'),
            routing('11', 'R-3', 'Drill', 'PENDING_APPROVAL'),
          ]),
        ]),
      ]),
      ExplorerRoutingRow: () => ({
        data: { routing: { ...routing('9', 'R-1', 'Mill and drill', 'APPROVED'), revision: { __typename: 'Revision', id: '8' } } },
      }),
    });
    const live = fakeLive();
    renderExplorer('/?status=PENDING_APPROVAL', live);
    await screen.findByRole('tree');
    act(() => live.open());
    act(() =>
      live.deliver({
        name: 'routing.approval.changed',
        id: '42',
        payload: { routingId: '9', status: 'APPROVED', approvedBy: 'approver', timestamp: '2026-01-01T00:00:00Z' },
      }),
    );
    expect(screen.queryByRole('link', { name: /R-1/ })).toBeNull();
    expect(screen.getByRole('link', { name: /R-3/ })).toBeTruthy();
  });

  it('reads again only the items page in view after a reconnection', async () => {
    const server = fakeServer({ Me: me('AUDITOR'), ExplorerItems: itemsHandler(bigTree(100, 100)) });
    const live = fakeLive();
    renderExplorer('/', live);
    await screen.findByRole('tree');
    act(() => live.open());
    const viewport = screen.getByTestId('explorer-viewport');
    for (const loaded of [25, 50, 75]) {
      act(() => {
        viewport.scrollTop = loaded * 102 * 40 - 600;
        fireEvent.scroll(viewport);
      });
      await waitFor(() => expect(server.callsOf('ExplorerItems')).toHaveLength(loaded / 25 + 1));
    }
    await screen.findByText('100 items');
    act(() => {
      viewport.scrollTop = 60 * 102 * 40;
      fireEvent.scroll(viewport);
    });
    act(() => live.reconnect());
    await waitFor(() => expect(server.callsOf('ExplorerItems')).toHaveLength(5));
    // Items 60… are on the third page: that one page is read again.
    expect(server.callsOf('ExplorerItems')[4]?.variables).toMatchObject({ first: 25, after: '50' });
  });
});

describe('paging inside an item', () => {
  it('loads the further revisions of an item when their row comes into view', async () => {
    const server = fakeServer({
      Me: me('AUDITOR'),
      ExplorerItems: () => ({
        data: {
          items: connection('Item', [
            {
              ...item('1', 'MANY', 'Many revisions', []),
              revisions: connection('Revision', [revision('r0', 'A', [])], { total: 2, hasNextPage: true, endCursor: 'c1' }),
            },
          ]),
        },
      }),
      ExplorerItemRevisions: () => ({
        data: {
          item: {
            __typename: 'Item',
            id: '1',
            revisions: connection('Revision', [revision('r1', 'B', [routing('x', 'R-9', 'Late')])], { total: 2 }),
          },
        },
      }),
    });
    renderExplorer('/?status=DRAFT');
    expect(await screen.findByRole('link', { name: 'R-9 Late' })).toBeTruthy();
    expect(server.callsOf('ExplorerItemRevisions')[0]?.variables).toEqual({
      id: '1',
      status: 'DRAFT',
      first: 50,
      after: 'c1',
    });
  });
});

