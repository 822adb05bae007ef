import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredVariables } from './support/manifests';
import { repositoryRoot } from './support/tools';

/**
 * The configuration a user reads about is the configuration the apps read: every variable declared in
 * libs/config/src/environment.ts is in .env.example and in the README's configuration table, and neither lists one
 * the apps do not read.
 */
describe('configuration documentation', () => {
  const declared = declaredVariables().sort();

  it('when a variable is declared, then .env.example lists it, and lists nothing else', () => {
    const example = readFileSync(join(repositoryRoot, '.env.example'), 'utf8');
    const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    expect([...new Set(listed)].sort()).toEqual(declared);
    expect(listed.length).toBe(new Set(listed).size);
  });

  it("when a variable is declared, then the README's configuration table has a row for it, and no other rows", () => {
    const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');
    const section = /\n## Configuration\n([\s\S]*?)\n## /.exec(readme)?.[1];
    expect(section).toBeDefined();
    const rows = [...(section ?? '').matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((match) => match[1]);
    expect([...rows].sort()).toEqual(declared);
  });
});
