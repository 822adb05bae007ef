import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import { tokenStore } from '../api/token-store';
import { ProblemMessage } from '../components/widgets';

/**
 * Asks for an admin token once per tab. It is checked against the API before it is kept (in sessionStorage), so
 * a typo is caught here rather than on the first page.
 */
export function SignIn({ reason, onSignedIn }: { reason?: string; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [checking, setChecking] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    setChecking(true);
    setError(undefined);
    try {
      await api.check(candidate);
      tokenStore.set(candidate);
      setToken('');
      onSignedIn();
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? new Error('The API does not accept this token.')
          : caught,
      );
    } finally {
      setChecking(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="card sign-in-card" onSubmit={(event) => void submit(event)} aria-label="Sign in">
        <h1>Onboarding console</h1>
        <p class="muted">
          Sign in with one of the API&apos;s admin tokens (<code>ADMIN_TOKENS</code>). It is kept in this tab
          only, and forgotten when the tab closes.
        </p>
        {reason ? <div class="alert alert-info">{reason}</div> : null}
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          autoFocus
        />
        <ProblemMessage error={error} />
        <button type="submit" class="button-primary" disabled={checking || !token.trim()}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
