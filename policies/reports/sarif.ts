/**
 * SARIF 2.1.0 for code scanning: one result per finding, located in the stack's synthesized
 * file with the resource address as logical location; suppressed findings carry an in-source
 * suppression with its justification; a rule that does not apply to a stack is one result of
 * kind `notApplicable` (level `none`, as SARIF requires for every kind but `fail`) on that stack.
 */
import type { AuditResult } from '../audit';
import type { Finding } from '../rule';
import { resourceAddressOf } from '../suppressions';
import { referencesText, TOOL } from './evidence';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** Where a stack's JSON lives, relative to the repository root (for code scanning links). */
  readonly stackFile?: (stack: string) => string;
  /** The 1-based line a resource starts on in its stack's file, when known. */
  readonly resourceLine?: (stack: string, address: string) => number | undefined;
}

const level = (finding: Finding) => (finding.level === 'error' ? 'error' : 'warning');

export function renderSarifReport(result: AuditResult, options: SarifOptions = {}): string {
  const stackFile = options.stackFile ?? ((stack: string) => `cdktf.out/stacks/${stack}/cdk.tf.json`);
  const location = (finding: Finding) => {
    const line = options.resourceLine?.(finding.stack, resourceAddressOf(finding.address));
    return {
      physicalLocation: { artifactLocation: { uri: stackFile(finding.stack) }, ...(line ? { region: { startLine: line } } : {}) },
      logicalLocations: [{ fullyQualifiedName: `${finding.stack}/${resourceAddressOf(finding.address)}`, kind: 'resource' }],
    };
  };
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL.name,
            version: TOOL.version,
            semanticVersion: TOOL.version,
            informationUri: TOOL.informationUri,
            rules: result.rules.map((rule) => ({
              id: rule.id,
              name: rule.id.replace('-', ''),
              shortDescription: { text: rule.title },
              fullDescription: { text: `${rule.title}. Lesson: ${rule.lesson}` },
              help: { text: `${rule.fix} References: ${referencesText(rule.references) || 'none'}.` },
              defaultConfiguration: { level: rule.level === 'error' ? 'error' : 'warning' },
              properties: { lesson: rule.lesson, references: rule.references, tags: ['security', rule.id.split('-')[0] ?? ''] },
            })),
          },
        },
        results: [
          ...result.findings.map((finding) => ({
            ruleId: finding.ruleId,
            level: level(finding),
            message: { text: `${finding.address}: ${finding.message}. Fix: ${finding.fix}` },
            locations: [location(finding)],
          })),
          ...result.outcomes
            .filter((entry) => entry.outcome === 'notApplicable')
            .map((entry) => ({
              ruleId: entry.ruleId,
              kind: 'notApplicable',
              level: 'none',
              message: { text: `Not applicable to stack ${entry.stack}: ${entry.reason ?? 'it has nothing the rule judges'}.` },
              // The whole stack file: located at its first line.
              locations: [
                {
                  physicalLocation: { artifactLocation: { uri: stackFile(entry.stack) }, region: { startLine: 1 } },
                  logicalLocations: [{ fullyQualifiedName: entry.stack, kind: 'module' }],
                },
              ],
            })),
          ...result.suppressed.map((finding) => ({
            ruleId: finding.ruleId,
            level: level(finding),
            message: { text: `${finding.address}: ${finding.message}` },
            locations: [location(finding)],
            suppressions: [
              {
                kind: 'inSource',
                status: 'accepted',
                justification: `${finding.suppression.reason} (owner ${finding.suppression.owner}, expires ${finding.suppression.expires})`,
              },
            ],
          })),
        ],
        invocations: [{ executionSuccessful: true, endTimeUtc: result.auditedAt }],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
