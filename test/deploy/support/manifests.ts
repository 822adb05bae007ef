import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from './kubernetes-schemas';
import { repositoryRoot, requireTool, run } from './tools';

/** Kustomize components (used by the production overlay) exist since kustomize 3.7. */
function requireKustomizeWithComponents(kubectl: string): void {
  const { kustomizeVersion } = JSON.parse(run(kubectl, ['version', '--client', '-o', 'json'])) as {
    kustomizeVersion?: string;
  };
  const [major, minor] = (kustomizeVersion ?? 'v0.0').replace(/^v/, '').split('.').map(Number);
  if (!(major > 3 || (major === 3 && minor >= 7))) {
    throw new Error(
      `kubectl's kustomize is ${kustomizeVersion ?? 'unknown'}; deploy/k8s needs 3.7 or later (components): ` +
        'install a kubectl of 1.21 or later',
    );
  }
}

/** `kubectl kustomize <dir>` (relative to the repository root), parsed into objects. */
export function renderKustomization(directory: string): KubernetesObject[] {
  const kubectl = requireTool('kubectl', "install Debian's kubernetes-client or another kubectl");
  requireKustomizeWithComponents(kubectl);
  const rendered = run(kubectl, ['kustomize', join(repositoryRoot, directory)]);
  return parseYamlDocuments(rendered, directory);
}

/** Every document of a multi-document YAML text; a syntax error throws with its position. */
export function parseYamlDocuments<T = KubernetesObject>(text: string, origin: string): T[] {
  // `merge`: docker-compose.yml shares settings with YAML merge keys (`<<: *app`), as Compose reads them.
  return parseAllDocuments(text, { merge: true }).map((document) => {
    if (document.errors.length > 0) throw new Error(`${origin}: ${document.errors.map(String).join('\n')}`);
    return document.toJS() as T;
  });
}

/** One YAML file of the repository, parsed. */
export function readYaml<T>(relativePath: string): T {
  const [document] = parseYamlDocuments<T>(
    readFileSync(join(repositoryRoot, relativePath), 'utf8'),
    relativePath,
  );
  return document;
}

/**
 * The variables the apps read: the property names of the `Environment` class in libs/config/src/environment.ts,
 * read from its source (tests may import libraries only through their barrels, which do not export the class).
 */
export function declaredVariables(): string[] {
  const path = join(repositoryRoot, 'libs/config/src/environment.ts');
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const environment = source.statements.find(
    (statement): statement is ts.ClassDeclaration =>
      ts.isClassDeclaration(statement) && statement.name?.text === 'Environment',
  );
  if (!environment) throw new Error(`${path} no longer declares class Environment`);
  const names = environment.members
    .filter(ts.isPropertyDeclaration)
    .filter((member) => !member.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword))
    .map((member) => member.name.getText(source));
  if (names.length === 0) throw new Error(`${path}: class Environment declares no variables`);
  return names;
}
