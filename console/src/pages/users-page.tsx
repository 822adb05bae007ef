import { useState } from 'preact/hooks';
import { api, ApiError, segment } from '../api/client';
import type { Page, User } from '../api/types';
import { ProblemMessage } from '../components/widgets';
import { UUID } from '../format';
import { navigate } from '../router';

/**
 * Finds a user by id or by email (exact, compared as registration stores it: trimmed, lower-cased) and opens its
 * story. The email stays in the form, out of the URL and the browser's history.
 */
export function UsersPage() {
  const [query, setQuery] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [notFound, setNotFound] = useState<string | undefined>(undefined);
  const [searching, setSearching] = useState(false);

  const search = async (event: Event) => {
    event.preventDefault();
    const wanted = query.trim();
    if (!wanted) return;
    setSearching(true);
    setError(undefined);
    setNotFound(undefined);
    try {
      if (UUID.test(wanted)) {
        const user = await api.get<User>(`/users/${segment(wanted.toLowerCase())}`);
        navigate('users', user.id);
        return;
      }
      const page = await api.get<Page<User>>('/users', { email: wanted, limit: 1 });
      const [user] = page.items;
      if (user) navigate('users', user.id);
      else setNotFound(`No user has the email ${wanted}.`);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'USER_NOT_FOUND')
        setNotFound(`No user has the id ${wanted}.`);
      else setError(caught);
    } finally {
      setSearching(false);
    }
  };

  return (
    <section aria-labelledby="users-title">
      <header class="page-header">
        <h1 id="users-title">Users</h1>
      </header>
      <form class="card search" role="search" onSubmit={(event) => void search(event)}>
        <label for="user-search">Email or user id</label>
        <div class="search-row">
          <input
            id="user-search"
            type="search"
            placeholder="ada@example.com or 0f8e3c2a-5b1d-4c7e-9a6f-2d4b8e1c3a5f"
            value={query}
            onInput={(event) => setQuery(event.currentTarget.value)}
            autoComplete="off"
            autoFocus
          />
          <button type="submit" class="button-primary" disabled={searching || !query.trim()}>
            Find
          </button>
        </div>
        <p class="muted small">
          The user&apos;s page shows its whole onboarding: every step unit, its attempts and errors, its dead
          letters and each time they failed, with a retry for each failed step.
        </p>
      </form>
      {notFound ? (
        <div class="alert alert-info" role="status">
          {notFound}
        </div>
      ) : null}
      <ProblemMessage error={error} />
    </section>
  );
}
