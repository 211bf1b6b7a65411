// The API from Node, as a signed-in person (the session cookie) or an agent
// (a bearer token): to set up data and to act as "someone else" while the
// browser watches.

export class ApiError extends Error {}

export class Api {
  private constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** Signs in through POST /auth/login and keeps the session cookie. */
  static async signIn(baseUrl: string, username: string, password: string): Promise<Api> {
    const response = await fetch(`${baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw new ApiError(`sign-in of ${username} failed: ${response.status} ${await response.text()}`);
    const cookie = response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    return new Api(baseUrl, { cookie, origin: baseUrl });
  }

  static withToken(baseUrl: string, token: string): Api {
    return new Api(baseUrl, { authorization: `Bearer ${token}` });
  }

  /** Runs a GraphQL operation; throws on any error. */
  async gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors?.length || !body.data) {
      throw new ApiError(`GraphQL failed (${response.status}): ${JSON.stringify(body.errors ?? body)}\n${query}`);
    }
    return body.data;
  }

  /** A JSON REST call (the add-in protocol); returns status and parsed body. */
  async rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.headers, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  }
}

/** What the tests build on: an item, a revision and a routing (with steps), optionally submitted. */
export interface CreatedRouting {
  itemId: string;
  revisionId: string;
  routingId: string;
  code: string;
}

export async function createRouting(api: Api, label: string, submit = false): Promise<CreatedRouting> {
  const unique = `${label}-${Date.now().toString(36)}`.toUpperCase();
  const { createItem } = await api.gql<{ createItem: { id: string } }>(
    `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
    { input: { itemCode: `IT-${unique}`, name: `Item ${unique}` } },
  );
  const { createRevision } = await api.gql<{ createRevision: { id: string } }>(
    `mutation($itemId: ID!, $input: CreateRevisionInput!) { createRevision(itemId: $itemId, input: $input) { id } }`,
    { itemId: createItem.id, input: { code: 'A' } },
  );
  const code = `RT-${unique}`;
  const { createRouting } = await api.gql<{ createRouting: { id: string } }>(
    `mutation($revisionId: ID!, $input: CreateRoutingInput!) { createRouting(revisionId: $revisionId, input: $input) { id } }`,
    {
      revisionId: createRevision.id,
      input: { code, title: `Routing ${unique}`, steps: [{ name: 'Saw' }, { name: 'Mill' }] },
    },
  );
  if (submit) await api.gql(`mutation($id: ID!) { submitRouting(id: $id) { id } }`, { id: createRouting.id });
  return { itemId: createItem.id, revisionId: createRevision.id, routingId: createRouting.id, code };
}
