/**
 * The review as a pull-request comment: a header naming exactly what was compared (commits and
 * synth-output hashes), the security deltas first, then resource changes by stack and address,
 * then every field change collapsed per stack. GitHub refuses comments over 65,536 characters,
 * so the comment is cut to REVIEW_LIMIT, lowest-priority parts first, with a note saying so;
 * the full review is rendered as well.
 */
import type { Finding } from '../policies/rule';
import type { SuppressionRecord } from '../policies/suppressions';
import type { ReachabilityFlow } from '../tfjson/reachability';
import type { JsonValue } from '../tfjson/terraform-json';
import type { Review } from './build-review';
import type { FactChange } from './facts';
import type { FieldChange } from './json-diff';
import { lineDiff } from './line-diff';
import { cell, code, cutLines, safeValue } from './markdown';
import { renderReachabilityMatrix } from './reachability-matrix';
import type { ResourceChange, StackChanges } from './resource-diff';
import type { SynthSnapshot } from './snapshot';

/** First line of every review: how CI finds its own earlier comment to update it. */
export const REVIEW_MARKER = '<!-- matrix-sovereign-iac:review -->';
export const REVIEW_LIMIT = 65_000;

export interface RenderedReview {
  /** The comment: at most REVIEW_LIMIT characters. */
  readonly comment: string;
  /** Everything, uncut. */
  readonly full: string;
  readonly truncated: boolean;
}

const short = (commit: string | undefined) => (commit ? commit.slice(0, 12) : 'n/a');
const ACTIONS: Readonly<Record<ResourceChange['action'], string>> = { add: 'add', change: 'change', remove: '**remove**' };

function header(review: Review): string[] {
  const { base, head } = review;
  const side = (snapshot: SynthSnapshot) => `${cell(snapshot.label)}${snapshot.commit ? ` @ ${code(short(snapshot.commit))}` : ''}`;
  const audit = review.headAudit;
  return [
    REVIEW_MARKER,
    `# Deployment review: ${code(head.commit ? short(head.commit) : head.label)} against ${code(base.label.split(' ')[0] ?? base.label)}`,
    '',
    '| | base | head |',
    '|---|---|---|',
    `| source | ${side(base)} | ${side(head)} |`,
    `| synth output | ${code(base.hash, 80)} | ${code(head.hash, 80)} |`,
    `| stacks | ${base.stacks.length} | ${head.stacks.length} |`,
    '',
    `Head policy audit: **${audit.errors.length === 0 ? 'PASS' : 'FAIL'}** with ${audit.rulesEvaluated} rules: ${audit.errors.length} errors, ${audit.warnings.length} warnings, ${audit.suppressed.length} suppressed. Reviewed ${review.reviewedAt.toISOString().slice(0, 10)}.`,
    ...review.notes.map((note) => `> **Note:** ${note}`),
    '',
  ];
}

function summary(review: Review): string[] {
  const counts = { add: 0, change: 0, remove: 0, replace: 0 };
  for (const stack of review.stacks) {
    for (const change of stack.changes) {
      counts[change.action] += 1;
      if (change.replacedBy.length > 0) counts.replace += 1;
    }
  }
  const deltas = securityDeltaCount(review);
  const touched = review.stacks.filter((stack) => stack.status !== 'unchanged').length;
  return [
    `**Summary:** ${deltas} security delta${deltas === 1 ? '' : 's'}; resources: ${counts.add} to add, ${counts.change} to change (${counts.replace} possible replacement${counts.replace === 1 ? '' : 's'}), ${counts.remove} to remove, in ${touched} of ${review.stacks.length} stacks.`,
    '',
  ];
}

function securityDeltaCount(review: Review): number {
  const { delta } = review.reachability;
  const policy = review.policy;
  return (
    delta.opened.length +
    delta.closed.length +
    review.reachability.outsideRanges.length +
    review.exposure.length +
    review.privileges.length +
    review.secretReferences.length +
    review.artifacts.length +
    review.synapseSettings.length +
    policy.newFindings.length +
    policy.addedSuppressions.length +
    policy.removedSuppressions.length +
    policy.changedSuppressions.length +
    policy.invalidSuppressions.length +
    policy.expiringSuppressions.length
  );
}

function factTable(changes: readonly FactChange[]): string[] {
  if (changes.length === 0) return ['No change.', ''];
  const value = (setting: string, text: string | undefined, missing: string) =>
    text === undefined ? missing : code(safeValue(setting, text));
  return [
    '| subject | setting | before | after |',
    '|---|---|---|---|',
    ...changes.map(
      (change) =>
        `| ${cell(change.subject)} | ${cell(change.setting)} | ${cell(value(change.setting, change.before, '*(absent)*'))} | ${cell(value(change.setting, change.after, '*(removed)*'))} |`,
    ),
    '',
  ];
}

function flowList(title: string, flows: readonly ReachabilityFlow[]): string[] {
  if (flows.length === 0) return [];
  return [`**${title}:**`, '', ...flows.map((flow) => `- ${code(flow.from)} → ${code(flow.to)} on ${code(flow.port)}`), ''];
}

function reachabilitySection(review: Review): string[] {
  const { before, after, delta, outsideRanges } = review.reachability;
  const lines = [
    '### Network reachability',
    '',
    'Computed from the synthesized NetworkPolicies (egress at the source and ingress at the destination must both allow a flow).',
    '',
  ];
  const ranges = outsideRanges.length === 0 ? [] : ['**Address ranges of flows to or from outside:**', '', ...factTable(outsideRanges)];
  if (delta.opened.length === 0 && delta.closed.length === 0) {
    return [
      ...lines,
      ...(ranges.length === 0 ? ['No change.', ''] : ranges),
      '<details><summary>Reachability matrix (unchanged)</summary>',
      '',
      renderReachabilityMatrix(after),
      '',
      '</details>',
      '',
    ];
  }
  return [
    ...lines,
    ...flowList('Opened', delta.opened),
    ...flowList('Closed', delta.closed),
    ...ranges,
    renderReachabilityMatrix(before, 'Before'),
    '',
    renderReachabilityMatrix(after, 'After'),
    '',
  ];
}

function findingRows(findings: readonly Finding[]): string[] {
  return [
    '| rule | level | stack | resource | problem |',
    '|---|---|---|---|---|',
    ...findings.map(
      (finding) => `| ${finding.ruleId} | ${finding.level} | ${finding.stack} | ${code(finding.address)} | ${cell(finding.message)} |`,
    ),
    '',
  ];
}

function suppressionRows(records: readonly SuppressionRecord[], status: (record: SuppressionRecord) => string): string[] {
  return [
    '| rule | stack | resource | reason | owner | expires | status |',
    '|---|---|---|---|---|---|---|',
    ...records.map(
      (record) =>
        `| ${record.ruleId} | ${record.stack} | ${code(record.address)} | ${cell(record.reason)} | ${cell(record.owner)} | ${record.expires} | ${cell(status(record))} |`,
    ),
    '',
  ];
}

function policySections(review: Review): [string[], string[]] {
  const policy = review.policy;
  const valid = (record: SuppressionRecord) => (record.problems.length === 0 ? 'valid' : `**invalid**: ${record.problems.join('; ')}`);
  const suppressions: string[] = ['### Policy suppressions', ''];
  const groups: [string, readonly SuppressionRecord[], (record: SuppressionRecord) => string][] = [
    ['New', policy.addedSuppressions, valid],
    ['Removed', policy.removedSuppressions, () => 'removed'],
    [
      'Changed (now)',
      policy.changedSuppressions.map((change) => change.after),
      (record) => {
        const before = policy.changedSuppressions.find((change) => change.after === record)?.before;
        return `${valid(record)}; was: ${before ? `${before.reason} (${before.owner}, ${before.expires})` : '?'}`;
      },
    ],
    ['Expired or invalid: they suppress nothing', policy.invalidSuppressions, valid],
    ['Expiring within 30 days', policy.expiringSuppressions, valid],
  ];
  for (const [title, records, status] of groups)
    if (records.length > 0) suppressions.push(`**${title}:**`, '', ...suppressionRows(records, status));
  if (suppressions.length === 2) suppressions.push('No change.', '');
  const findings: string[] = ['### Policy findings', ''];
  if (policy.newFindings.length > 0)
    findings.push(`**New findings (${policy.newFindings.length}):**`, '', ...findingRows(policy.newFindings));
  if (policy.fixedFindings.length > 0)
    findings.push(`**Fixed findings (${policy.fixedFindings.length}):**`, '', ...findingRows(policy.fixedFindings));
  if (findings.length === 2) findings.push(`No new finding (head: ${review.headAudit.findings.length} findings in total).`, '');
  return [suppressions, findings];
}

/** The security deltas as subsections (title line first), so a cut can share the space fairly among them. */
function securitySubsections(review: Review): string[][] {
  const [suppressions, findings] = policySections(review);
  return [
    reachabilitySection(review),
    [
      '### Exposure',
      '',
      "Service types, ports and source ranges, host ports, ingress objects, and the gateway's HAProxy routes.",
      '',
      ...factTable(review.exposure),
    ],
    [
      '### Privileges',
      '',
      'Security contexts, host namespaces, service-account tokens, RBAC, privilege settings in chart values, and OpenBao policies and roles.',
      '',
      ...factTable(review.privileges),
    ],
    ['### Secret references', '', 'Names and paths only: the plans carry no secret values.', '', ...factTable(review.secretReferences)],
    ['### Images, charts and providers', '', ...factTable(review.artifacts)],
    ['### Synapse settings', '', ...factTable(review.synapseSettings)],
    suppressions ?? [],
    findings ?? [],
  ];
}

const SECURITY_TITLE = ['## Security deltas', ''];

/** Characters the lines take in the comment. */
const size = (lines: readonly string[]) => lines.join('\n').length + 1;

/**
 * Cuts the subsections to `budget` characters in all: the smaller ones are kept whole, and
 * what they leave is shared equally by the larger ones, so no kind of delta disappears
 * because another one is long.
 */
function fitSubsections(subsections: readonly string[][], budget: number): string[] {
  const order = subsections.map((lines, index) => ({ index, size: size(lines) })).sort((a, b) => a.size - b.size);
  const kept: string[][] = subsections.map(() => []);
  let left = budget;
  order.forEach(({ index, size: needed }, position) => {
    const share = Math.floor(left / (order.length - position));
    const lines = subsections[index] ?? [];
    kept[index] = needed <= share ? [...lines] : cutLines(lines, share).kept;
    left -= size(kept[index] ?? []);
  });
  return kept.flat();
}

function note(change: ResourceChange): string {
  const notes: string[] = [];
  if (change.replacedBy.length > 0) notes.push(`**possible replacement** (${change.replacedBy.map((field) => code(field)).join(', ')})`);
  if (change.destroyGuard === 'refuses') notes.push('**prevent_destroy: the engine will refuse**');
  if (change.destroyGuard === 'lifted') {
    notes.push(
      change.action === 'change' && change.replacedBy.length === 0
        ? '**prevent_destroy removed: nothing stops a destroy any more**'
        : '**was protected by prevent_destroy, which goes with it: the engine will destroy it** (`tofu state rm` keeps the object)',
    );
  }
  if (change.action === 'change' && notes.length === 0) notes.push(`${change.fields.length} field${change.fields.length === 1 ? '' : 's'}`);
  return notes.join('; ');
}

function resourceSummary(review: Review): string[] {
  const count = (stack: StackChanges, action: ResourceChange['action']) =>
    stack.changes.filter((change) => change.action === action).length;
  return [
    '## Resource changes',
    '',
    '| stack | status | add | change | remove | possible replacements |',
    '|---|---|---|---|---|---|',
    ...review.stacks.map(
      (stack) =>
        `| ${stack.stack} | ${stack.status} | ${count(stack, 'add')} | ${count(stack, 'change')} | ${count(stack, 'remove')} | ${stack.changes.filter((change) => change.replacedBy.length > 0).length} |`,
    ),
    '',
  ];
}

function resourceTables(review: Review): string[] {
  return review.stacks
    .filter((stack) => stack.changes.length > 0)
    .flatMap((stack) => [
      `### ${stack.stack}`,
      '',
      '| action | object | address | note |',
      '|---|---|---|---|',
      ...stack.changes.map(
        (change) => `| ${ACTIONS[change.action]} | ${cell(change.label)} | ${code(change.address, 200)} | ${note(change)} |`,
      ),
      '',
    ]);
}

function shownJson(path: string, value: JsonValue | undefined): string {
  if (value === undefined) return '*(absent)*';
  return code(safeValue(path, typeof value === 'string' ? value : JSON.stringify(value)));
}

function fieldLines(field: FieldChange): string[] {
  const { before, after } = field;
  if (typeof before === 'string' && typeof after === 'string' && (before.includes('\n') || after.includes('\n'))) {
    const diff = lineDiff(before, after).map((line) => safeValue(field.path, line));
    return [`- ${code(field.path || '(value)', 200)}:`, '', '```diff', ...diff, '```', ''];
  }
  return [`- ${code(field.path || '(value)', 200)}: ${shownJson(field.path, before)} → ${shownJson(field.path, after)}`];
}

function detailsSection(review: Review): string[] {
  const changed = review.stacks.filter((stack) => stack.changes.some((change) => change.action === 'change'));
  if (changed.length === 0) return [];
  return [
    '## Details',
    '',
    ...changed.flatMap((stack) => {
      const changes = stack.changes.filter((change) => change.action === 'change');
      return [
        `<details><summary>${stack.stack}: ${changes.length} changed resource${changes.length === 1 ? '' : 's'}</summary>`,
        '',
        ...changes.flatMap((change) => [
          `**${cell(change.label)}** (${code(change.address, 200)})`,
          '',
          ...change.fields.flatMap(fieldLines),
          '',
        ]),
        '</details>',
        '',
      ];
    }),
  ];
}

/**
 * Fits the parts into the limit in priority order: header, summary and the resource summary
 * table always; the security deltas next (they may take all but a reserve); then the address
 * tables; then the details.
 */
export function renderReview(review: Review, fullReviewName = 'review-full.md'): RenderedReview {
  const head = [...header(review), ...summary(review)];
  const subsections = securitySubsections(review);
  const security = [...SECURITY_TITLE, ...subsections.flat()];
  const totals = resourceSummary(review);
  const tables = resourceTables(review);
  const details = detailsSection(review);
  const full = `${[...head, ...security, ...totals, ...tables, ...details].join('\n')}\n`;
  if (full.length <= REVIEW_LIMIT) return { comment: full, full, truncated: false };

  const truncationNote = `> **This review was cut to ${REVIEW_LIMIT.toLocaleString('en-US')} characters** (the full review has ${full.length.toLocaleString('en-US')}): sections marked "not shown" continue in \`${fullReviewName}\`, kept with the CI run.`;
  let remaining = REVIEW_LIMIT - size(head) - size(totals) - truncationNote.length - 8;
  const fit = (lines: readonly string[]) => {
    const { kept } = cutLines(lines, Math.max(0, remaining));
    remaining -= size(kept);
    return kept;
  };
  const securityBudget = remaining - Math.min(8_000, Math.floor(remaining / 4)) - size(SECURITY_TITLE);
  const shownSecurity =
    size(security) <= securityBudget + size(SECURITY_TITLE)
      ? security
      : [...SECURITY_TITLE, ...fitSubsections(subsections, securityBudget)];
  remaining -= size(shownSecurity);
  const shownTables = fit(tables);
  const shownDetails = remaining > 500 ? fit(details) : [];
  const comment = `${[...head, truncationNote, '', ...shownSecurity, ...totals, ...shownTables, ...shownDetails].join('\n')}\n`;
  return { comment, full, truncated: true };
}
