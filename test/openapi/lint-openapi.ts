/**
 * Lints an OpenAPI document with Spectral (`spectral:oas`) and Redocly (`recommended`), offline, and prints
 * the findings as JSON: `node -r ts-node/register/transpile-only test/openapi/lint-openapi.ts <document.json>`.
 * A child process of the OpenAPI test, because @redocly/openapi-core is an ES module that jest cannot load
 * (Node itself can: require() of ES modules works from Node 20.19 on).
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Document, type RulesetDefinition, Spectral } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { readFileSync } from 'node:fs';

export interface LintFinding {
  linter: 'spectral' | 'redocly';
  severity: 'error' | 'warning';
  rule: string;
  message: string;
  path: string;
}

const SPECTRAL_SEVERITIES = ['error', 'warning', 'info', 'hint'] as const;

async function main(file: string): Promise<void> {
  const source = readFileSync(file, 'utf8');
  const findings: LintFinding[] = [];

  const spectral = new Spectral();
  // What `extends: spectral:oas` means in a .spectral.yaml: the ruleset's recommended rules.
  spectral.setRuleset({ extends: [[oas as RulesetDefinition, 'recommended']] });
  for (const result of await spectral.run(new Document(source, Json, file))) {
    const severity = SPECTRAL_SEVERITIES[result.severity];
    if (severity !== 'error' && severity !== 'warning') continue;
    findings.push({
      linter: 'spectral',
      severity,
      rule: String(result.code),
      message: result.message,
      path: result.path.join('.'),
    });
  }

  const config = await createConfig({ extends: ['recommended'] });
  for (const problem of await lintFromString({ source, absoluteRef: file, config })) {
    if (problem.severity !== 'error' && problem.severity !== 'warn') continue;
    findings.push({
      linter: 'redocly',
      severity: problem.severity === 'warn' ? 'warning' : 'error',
      rule: problem.ruleId,
      message: problem.message,
      path: problem.location.map((location) => location.pointer ?? '').join(' '),
    });
  }
  process.stdout.write(JSON.stringify(findings));
}

main(process.argv[2] ?? '').catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
