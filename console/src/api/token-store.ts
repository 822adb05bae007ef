/**
 * The admin token, kept for this browser tab only: sessionStorage ends with the tab, is not shared with other
 * tabs, and is never sent anywhere by the browser itself. Never localStorage (it would outlive the session), never
 * a cookie or a URL (they travel, and land in logs and histories).
 */
const KEY = 'onboarding-console.admin-token';

export const tokenStore = {
  get(): string | undefined {
    return sessionStorage.getItem(KEY) ?? undefined;
  },
  set(token: string): void {
    sessionStorage.setItem(KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
