import type { VersionPrecondition } from '@app/users';

const STRONG_VERSION_TAG = /^"(\d{1,10})"$/;

/**
 * A user's ETag: its row version, as a strong entity tag. Every change of the row bumps the version (a database
 * trigger), so the tag changes whenever any field does, the worker's onboarding status included.
 */
export function userEtag(version: number): string {
  return `"${version}"`;
}

/**
 * The versions an `If-Match` header accepts. Strong comparison (RFC 9110, section 13.1.1): a weak tag or one
 * this service did not issue matches nothing, hence 412. `*` accepts any current version. An absent or empty
 * header gives undefined (428).
 */
export function parseIfMatch(header: string | undefined): VersionPrecondition | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (value === '*') return 'any';
  return value.split(',').flatMap((tag) => {
    const match = STRONG_VERSION_TAG.exec(tag.trim());
    return match ? [Number(match[1])] : [];
  });
}

/** Whether `If-None-Match` names the current version (weak comparison, section 13.1.2), so 304 answers. */
export function ifNoneMatchHits(header: string | undefined, version: number): boolean {
  const value = header?.trim();
  if (!value) return false;
  if (value === '*') return true;
  const current = userEtag(version);
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === current);
}
