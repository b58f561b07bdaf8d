const KEY = 'submissions.accessToken';

/**
 * The optional access token for deployed stages, kept for this tab only
 * (sessionStorage). Storage can be switched off by the browser: then it lives
 * in the field alone.
 */
export const tokenStore = {
  read(): string | undefined {
    try {
      return sessionStorage.getItem(KEY) ?? undefined;
    } catch {
      return undefined;
    }
  },
  write(token: string): void {
    try {
      if (token) sessionStorage.setItem(KEY, token);
      else sessionStorage.removeItem(KEY);
    } catch {
      // Not stored; still used while the page is open.
    }
  },
};
