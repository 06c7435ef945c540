/**
 * One audit with something in every section (two failing rules, one suppressed finding, one
 * invalid suppression), its stacks written as files and its evidence reports written beside
 * them: what the report tests read, by their own structure and by real consumers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { auditStacks, type AuditResult } from '../../policies/audit';
import { sourceLocations, writeAuditReports } from '../../policies/reports';
import { cases as POD_02 } from '../../policies/rules/pod/POD-02.cases';
import { cases as POD_03 } from '../../policies/rules/pod/POD-03.cases';
import { cases as RES_01 } from '../../policies/rules/res/RES-01.cases';
import { isObject, type SynthesizedStack } from '../../tfjson/terraform-json';
import { tempDirectory } from '../support/slapd';
import { compliantStack, CONFIG_CONTEXT, mutated, table } from './fixtures';

const NOW = new Date('2026-11-23T12:00:00Z');

/** An audit with something in every section: two failing rules, one suppressed finding, one invalid suppression. */
const audited: SynthesizedStack[] = [];

function mixedResult(): AuditResult {
  const failing = mutated((json) => {
    POD_03.bad[0]!.mutate(json);
    RES_01.bad[0]!.mutate(json);
  });
  const suppressed = mutated((json) => {
    const fired = POD_02.bad[0]!;
    fired.mutate(json);
    const [type, name] = fired.address.split(' ')[0]!.split('.') as [string, string];
    const body = table(json, type)[name]!;
    body['//'] = {
      ...(isObject(body['//']) ? body['//'] : {}),
      suppressions: [
        { ruleId: 'POD-02', reason: 'vendor image, fixed in the next release', owner: 'team:platform', expires: '2027-02-28' },
      ],
    };
  });
  audited.push(
    { ...failing, name: 'agency-homeserver' },
    { ...suppressed, name: 'agency-media' },
    { ...compliantStack(), name: 'agency-gateway' },
  );
  return auditStacks(audited, { ...CONFIG_CONTEXT, now: NOW });
}

export const result = mixedResult();
export const directory = tempDirectory('reports-');
// The stacks as files, pretty-printed as cdktf writes them, so locations carry line numbers.
const stackFiles = new Map(
  result.stacks.map((stack, index) => {
    const file = path.join(directory, 'stacks', stack, 'cdk.tf.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(audited[index]!.json, null, 2));
    return [stack, file];
  }),
);
writeAuditReports(result, path.join(directory, 'audit'), sourceLocations(stackFiles, directory));
export const reports = path.join(directory, 'audit');
export const read = (file: string) => fs.readFileSync(path.join(reports, file), 'utf8');
