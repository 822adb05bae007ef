/**
 * The console's sections, in the order of the navigation bar. A section is a page under `pages/` and its case in
 * `app.tsx`'s routing.
 */
export interface Section {
  /** First segment of the route (`#/<path>`). */
  path: string;
  label: string;
}

export const SECTIONS: Section[] = [
  { path: 'funnel', label: 'Funnel' },
  { path: 'users', label: 'Users' },
  { path: 'dead-letters', label: 'Dead letters' },
  { path: 'webhooks', label: 'Webhooks' },
];
