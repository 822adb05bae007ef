import { useEffect, useState } from 'preact/hooks';

/**
 * Pages are addressed by the URL fragment (`/console#/users/<id>`, `#/webhooks/<endpoint id>/<delivery id>`), so the API serves one page for all of them and
 * a link to a user or a dead letter can be shared. Only ids travel in the fragment: never the token, never an email.
 */
export interface Route {
  /** The path of the fragment, e.g. `/users/0f8e…`. */
  path: string;
  /** Its segments, decoded. */
  segments: string[];
}

const current = (): Route => {
  const path = location.hash.replace(/^#/, '') || '/';
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  return { path, segments };
};

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const changed = () => setRoute(current());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** A link target: `href('users', id)` is `#/users/<id, encoded>`. */
export const href = (...segments: string[]): string => `#/${segments.map(encodeURIComponent).join('/')}`;

export const navigate = (...segments: string[]): void => {
  location.hash = href(...segments).slice(1);
};
