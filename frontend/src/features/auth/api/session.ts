// The cookie session: POST /auth/login and POST /auth/logout (REST, not GraphQL,
// because the session cookie is HttpOnly and set by the server).
import type { Role } from '@/gql/graphql';
import { postJson } from '@/lib/http';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
}

interface LoginResponse {
  user: SessionUser;
}

/** Signs in; throws `HttpError` (401 for a wrong username or password, 429 when rate limited). */
export async function login(username: string, password: string): Promise<SessionUser> {
  const body = await postJson<LoginResponse>('/auth/login', { username, password });
  if (!body?.user) throw new Error('The server sent no user.');
  return body.user;
}

/** Ends the session on the server and clears the cookie. */
export async function logout(): Promise<void> {
  await postJson('/auth/logout');
}
