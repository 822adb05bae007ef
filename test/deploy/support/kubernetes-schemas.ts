import { join } from 'node:path';
import ts from 'typescript';
import { repositoryRoot } from './tools';

/** A rendered Kubernetes object, as plain data. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * Where the models of an API group live: kubernetes-models for Kubernetes' own groups, its sibling packages for
 * the CRDs we use. Every package is generated from the upstream OpenAPI schema (Kubernetes) or CRD schema (KEDA,
 * prometheus-operator).
 */
const packageOfGroup = (group: string): string | undefined => {
  if (group === '' || !group.includes('.') || group.endsWith('.k8s.io')) return 'kubernetes-models';
  return {
    'keda.sh': '@kubernetes-models/keda',
    'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  }[group];
};

/** The module and interface describing `apiVersion` + `kind`, or undefined when no schema is known. */
function modelOf(object: KubernetesObject): { module: string; typeName: string } | undefined {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const packageName = packageOfGroup(group);
  if (!packageName) return undefined;
  const module = `${packageName}/${group === '' ? '' : `${group}/`}${version}/${object.kind}`;
  try {
    require.resolve(module, { paths: [repositoryRoot] });
  } catch {
    return undefined;
  }
  return { module, typeName: `I${object.kind}` };
}

const nameOf = (object: KubernetesObject) => `${object.kind} ${object.metadata?.name ?? '(no name)'}`;

/**
 * JSON Schema validation with the models' own validators (types, required fields, enums, formats). They accept
 * unknown fields, as the API server does by default; {@link checkFieldsStrictly} catches those.
 */
async function validateWithJsonSchemas(objects: KubernetesObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const model = modelOf(object);
    if (!model) {
      problems.push(`${nameOf(object)}: no schema known for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    const exports = (await import(model.module)) as Record<
      string,
      new (data: unknown) => { validate(): void }
    >;
    try {
      new exports[object.kind](object).validate();
    } catch (error) {
      problems.push(`${nameOf(object)}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** The field path (`spec.template.spec.containers[0].ports`) of a node inside an object literal. */
function fieldPath(node: ts.Node, root: ts.Node): string {
  const parts: string[] = [];
  let child = node;
  for (let current = node; current !== root && current.parent; current = current.parent) {
    if (ts.isPropertyAssignment(current)) parts.unshift(`.${(current.name as ts.StringLiteral).text}`);
    if (ts.isArrayLiteralExpression(current) && child !== current) {
      parts.unshift(`[${current.elements.indexOf(child as ts.Expression)}]`);
    }
    child = current;
  }
  return parts.join('').replace(/^\./, '');
}

function deepestNodeAt(node: ts.Node, position: number): ts.Node {
  const child = node
    .getChildren()
    .find((candidate) => candidate.getStart() <= position && position < candidate.end);
  return child ? deepestNodeAt(child, position) : node;
}

/**
 * Strict field checking: each object becomes an object literal typed with the model's interface (generated from
 * the same schemas), and TypeScript's excess-property check reports every field the schema does not declare, at
 * any depth, like `kubectl apply --validate=strict` or kubeconform's -strict would.
 */
function checkFieldsStrictly(objects: KubernetesObject[]): string[] {
  const problems: string[] = [];
  const fileName = join(repositoryRoot, 'test/deploy/__rendered-manifests__.ts');
  const typed = objects.map((object, index) => ({ object, index, model: modelOf(object) }));
  const lines: string[] = [];
  for (const { index, model } of typed) {
    if (model) lines.push(`import type { ${model.typeName} as T${index} } from '${model.module}';`);
  }
  for (const { object, index, model } of typed) {
    if (model) lines.push(`export const o${index}: T${index} = ${JSON.stringify(object)};`);
  }
  const source = lines.join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, source, language, true)
      : getSourceFile(name, language, ...rest);
  const program = ts.createProgram({ rootNames: [fileName], options, host });
  const sourceFile = program.getSourceFile(fileName)!;
  const diagnostics = [
    ...program.getSyntacticDiagnostics(sourceFile),
    ...program.getSemanticDiagnostics(sourceFile),
  ];

  const declarations = new Map<number, ts.VariableDeclaration>();
  for (const statement of sourceFile.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const declaration = statement.declarationList.declarations[0];
    declarations.set(Number((declaration.name as ts.Identifier).text.slice(1)), declaration);
  }
  for (const diagnostic of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
    const position = diagnostic.start ?? 0;
    const entry = [...declarations.entries()].find(([, node]) => node.pos <= position && position < node.end);
    if (!entry) {
      problems.push(`schema check: ${message}`);
      continue;
    }
    const [index, declaration] = entry;
    const path = fieldPath(deepestNodeAt(declaration.initializer!, position), declaration.initializer!);
    problems.push(`${nameOf(objects[index])}: ${path || '(root)'}: ${message}`);
  }
  return problems;
}

/**
 * Every problem found in `objects` against the Kubernetes (and CRD) schemas: unknown fields, wrong types,
 * missing required fields, values outside an enum, kinds without a known schema. Empty when all are valid.
 */
export async function schemaProblems(objects: KubernetesObject[]): Promise<string[]> {
  return [...(await validateWithJsonSchemas(objects)), ...checkFieldsStrictly(objects)];
}
