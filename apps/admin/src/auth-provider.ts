import type { AuthProvider } from 'react-admin';
import { setCsrfToken } from './api/client';

interface SessionAnswer {
  user: { id: number; username: string; is_admin: boolean; scopes: string[] };
  csrf_token: string;
}

/** Staff only: the admin is for admin accounts (every scope); other accounts are refused here. */
export const NOT_STAFF = 'This account is not a staff (admin) account.';

let session: SessionAnswer | null = null;

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path, { credentials: 'same-origin', ...init });
}

async function loadSession(): Promise<SessionAnswer | null> {
  const res = await request('/admin/session', { headers: { accept: 'application/json' } });
  if (!res.ok) return null;
  return (await res.json()) as SessionAnswer;
}

async function endSession(): Promise<void> {
  if (!session) return;
  await request('/admin/logout', { method: 'POST', headers: { 'x-csrf-token': session.csrf_token } });
}

function keep(answer: SessionAnswer | null): void {
  session = answer;
  setCsrfToken(answer?.csrf_token ?? null);
}

/** People log in with a session (`POST /admin/login`): an HttpOnly cookie plus a CSRF token. */
export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    const res = await request('/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.status === 429) throw new Error('Too many failed attempts; try again later.');
    if (!res.ok) throw new Error('Wrong username or password.');
    keep((await res.json()) as SessionAnswer);
    if (!session?.user.is_admin) {
      await endSession();
      keep(null);
      throw new Error(NOT_STAFF);
    }
  },
  async logout() {
    await endSession().catch(() => undefined);
    keep(null);
  },
  async checkAuth() {
    if (session) return;
    const current = await loadSession();
    if (!current?.user.is_admin) throw new Error('Please log in.');
    keep(current);
  },
  async checkError(error: { status?: number }) {
    if (error.status === 401) {
      keep(null);
      throw new Error('Your session has ended.');
    }
  },
  async getIdentity() {
    if (!session) keep(await loadSession());
    if (!session) throw new Error('Not logged in');
    return { id: session.user.id, fullName: session.user.username };
  },
  async getPermissions() {
    return session?.user.scopes ?? [];
  },
};
