/**
 * Runs every rule's case table (policies/rules/<category>/<ID>.cases.ts). The catalogue is the
 * rule files themselves: each exports `rule`, whose id is its file name and whose category is
 * its folder, and the index lists exactly those. Every rule has a table with at least one bad
 * input; each bad input fires (on the rule, and through the audit of that rule, which reports
 * it failed), each good input leaves the whole audit clean, each input without the rule's subject
 * is reported not applicable, and the compliant fixture passes every rule.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';
import { auditStacks, outcomeOf, type AuditResult } from '../../policies/audit';
import { categoryOf, type AuditContext, type Rule } from '../../policies/rule';
import { ALL_RULES } from '../../policies/rules';
import type { BadCase, RuleCases } from './case-table';
import { compliantStack, CONFIG_CONTEXT, mutated, STANDALONE_CONTEXT } from './fixtures';

const RULES_DIRECTORY = path.join(projectRoot(), 'policies', 'rules');
const RULE_FILE = /^([A-Z]+-[0-9]{2})\.ts$/;

interface RuleFile {
  readonly id: string;
  readonly folder: string;
  readonly rule: Rule | undefined;
  readonly cases: RuleCases | undefined;
}

/** A rule module or case table, found at run time by listing the folders. */
function loadModule(file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the file names are known only at run time
  return require(file);
}

/** Every `<folder>/<ID>.ts` under policies/rules, with what it and its case table export. */
function ruleFiles(): RuleFile[] {
  return fs
    .readdirSync(RULES_DIRECTORY, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((folder) =>
      fs.readdirSync(path.join(RULES_DIRECTORY, folder.name)).flatMap((file) => {
        const id = RULE_FILE.exec(file)?.[1];
        if (id === undefined) return [];
        const base = path.join(RULES_DIRECTORY, folder.name, id);
        const { rule } = loadModule(base) as { rule?: Rule };
        const cases = fs.existsSync(`${base}.cases.ts`) ? (loadModule(`${base}.cases`) as { cases?: RuleCases }).cases : undefined;
        return [{ id, folder: folder.name, rule, cases }];
      }),
    )
    .sort((a, b) => a.id.localeCompare(b.id));
}

const files = ruleFiles();
/** What the audit tells every rule about the catalogue it runs in. */
const CATALOGUE = { ruleIds: ALL_RULES.map((rule) => rule.id) };

const compliantAudits = new Map<AuditContext, AuditResult>();
/** The whole audit of the compliant fixture in `context`: the same for every rule, so run once per context. */
function compliantAudit(context: AuditContext): AuditResult {
  const known = compliantAudits.get(context);
  if (known) return known;
  const result = auditStacks([compliantStack()], context);
  compliantAudits.set(context, result);
  return result;
}

function textMatcher(expected: string | RegExp): unknown {
  return typeof expected === 'string' ? expect.stringContaining(expected) : expect.stringMatching(expected);
}

/** The violation a bad case expects, as an asymmetric matcher. */
function expectedViolation(bad: BadCase): unknown {
  return expect.objectContaining({ address: expect.stringContaining(bad.address), message: textMatcher(bad.message) });
}

describe('the control catalogue is its rule files', () => {
  it('finds rule files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('$folder/$id.ts exports the rule $id of category $folder', (file) => {
    expect(file.rule?.id).toBe(file.id);
    expect(categoryOf(file.id).toLowerCase()).toBe(file.folder);
  });

  it('lists exactly the rule files, each once', () => {
    expect(ALL_RULES.map((rule) => rule.id).sort()).toEqual(files.map((file) => file.id));
    expect(new Set(ALL_RULES).size).toBe(ALL_RULES.length);
    for (const file of files) expect(ALL_RULES).toContain(file.rule);
  });

  it.each(files)('$id has a case table with at least one bad input', (file) => {
    expect(file.cases).toBeDefined();
    expect(file.cases?.bad.length).toBeGreaterThan(0);
  });
});

describe.each(ALL_RULES.map((rule) => ({ id: rule.id, rule, cases: files.find((file) => file.id === rule.id)?.cases ?? { bad: [] } })))(
  '$id',
  ({ rule, cases }) => {
    it.each([
      ['site config', CONFIG_CONTEXT],
      ['standalone', STANDALONE_CONTEXT],
    ])('passes the compliant fixture (%s)', (_label, context) => {
      expect(rule.check(compliantStack(), { ...CATALOGUE, ...context })).toEqual([]);
      expect(outcomeOf(compliantAudit(context), rule.id, compliantStack().name).outcome).not.toBe('failed');
    });

    if (cases.bad.length > 0) {
      test.each(cases.bad)('fires: $name', (bad) => {
        const stack = mutated(bad.mutate);
        const context = bad.context ?? CONFIG_CONTEXT;
        expect(rule.check(stack, { ...CATALOGUE, ...context })).toContainEqual(expectedViolation(bad));
        // Through the audit with this rule only (the catalogue still the whole one): the other rules' findings are not this case's subject.
        const result = auditStacks([stack], { ...CATALOGUE, ...context }, [rule]);
        expect(result.findings.filter((finding) => finding.ruleId === rule.id)).toContainEqual(expectedViolation(bad));
        expect(outcomeOf(result, rule.id, stack.name).outcome).toBe('failed');
      });
    }

    if (cases.good && cases.good.length > 0) {
      test.each(cases.good)('accepts, and the audit stays clean: $name', (good) => {
        const stack = mutated(good.mutate);
        const context = good.context ?? CONFIG_CONTEXT;
        expect(rule.check(stack, { ...CATALOGUE, ...context })).toEqual([]);
        expect(auditStacks([stack], context).findings).toEqual([]);
      });
    }

    if (cases.notApplicable && cases.notApplicable.length > 0) {
      test.each(cases.notApplicable)('does not apply: $name', (input) => {
        const stack = mutated(input.mutate);
        const result = auditStacks([stack], input.context ?? CONFIG_CONTEXT, [rule]);
        expect(outcomeOf(result, rule.id, stack.name)).toEqual(
          expect.objectContaining({ outcome: 'notApplicable', reason: expect.stringContaining(rule.appliesTo?.subject ?? '(no subject)') }),
        );
      });
    }
  },
);
