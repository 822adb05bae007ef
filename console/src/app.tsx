import { useEffect, useState } from 'preact/hooks';
import { onSignedOut } from './api/client';
import { tokenStore } from './api/token-store';
import { SECTIONS } from './navigation';
import { DeadLetterPage } from './pages/dead-letter-page';
import { DeadLettersPage } from './pages/dead-letters-page';
import { FunnelPage } from './pages/funnel-page';
import { SignIn } from './pages/sign-in';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';
import { WebhookPage } from './pages/webhook-page';
import { WebhooksPage } from './pages/webhooks-page';
import { href, type Route, useRoute } from './router';

function page({ segments: [section, id, detail] }: Route) {
  switch (section) {
    case 'users':
      return id ? <UserPage key={id} userId={id} /> : <UsersPage />;
    case 'dead-letters':
      return id ? <DeadLetterPage key={id} messageId={id} /> : <DeadLettersPage />;
    case 'webhooks':
      return id ? <WebhookPage key={id} endpointId={id} deliveryId={detail} /> : <WebhooksPage />;
    case 'funnel':
    default:
      return <FunnelPage />;
  }
}

/** The shell: the sign-in until a token is accepted, then the navigation and the page the URL fragment names. */
export function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(() => tokenStore.get() !== undefined);
  const [reason, setReason] = useState<string | undefined>(undefined);

  useEffect(
    () =>
      onSignedOut((why) => {
        setReason(why);
        setSignedIn(false);
      }),
    [],
  );

  if (!signedIn)
    return (
      <SignIn
        reason={reason}
        onSignedIn={() => {
          setReason(undefined);
          setSignedIn(true);
        }}
      />
    );

  const section = route.segments[0] ?? 'funnel';
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href={href('funnel')}>
          Onboarding console
        </a>
        <nav aria-label="Sections">
          {SECTIONS.map(({ path, label }) => (
            <a key={path} href={href(path)} aria-current={section === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button
          type="button"
          class="sign-out"
          onClick={() => {
            tokenStore.clear();
            setReason('Signed out.');
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main class="content">{page(route)}</main>
    </div>
  );
}
