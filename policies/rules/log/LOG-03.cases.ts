/** The case table of LOG-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { alertRule, editAlert } from '../../../test/policies/case-helpers/log';
import type { RuleCases } from '../../../test/policies/case-table';
import { manifestSpecOf, R, remove, type Mutation } from '../../../test/policies/fixtures';
import { isObject } from '../../../tfjson/terraform-json';

// ---------------------------------------------------------------- LOG-03: bounded thresholds and holds
/** The alert's threshold set to `value` (its expr ends with "> <threshold>"). */
function threshold(name: string, value: string): Mutation {
  return editAlert(name, (rule) => {
    const expr = String(rule.expr);
    if (!/> \d+$/.test(expr)) throw new Error(`${name} has no trailing threshold`);
    rule.expr = expr.replace(/> \d+$/, `> ${value}`);
  });
}

export const cases: RuleCases = {
  bad: [
    {
      name: 'media alert at 1 TiB an hour (never fires)',
      mutate: threshold('MatrixMediaExfiltration', '1099511627776'),
      address: `${alertRule} alert MatrixMediaExfiltration`,
      message: 'threshold 1099511627776 is above 53687091200',
    },
    {
      name: 'directory-search alert at 10000 a minute',
      mutate: threshold('MatrixUserDirectoryScraping', '10000'),
      address: `${alertRule} alert MatrixUserDirectoryScraping`,
      message: 'threshold 10000 is above 600',
    },
    {
      name: 'profile alert at 3001 a minute',
      mutate: threshold('MatrixProfileScraping', '3001'),
      address: `${alertRule} alert MatrixProfileScraping`,
      message: 'threshold 3001 is above 3000',
    },
    {
      name: 'refused-login alert at 1e6 a minute',
      mutate: threshold('MatrixCredentialStuffing', '1e6'),
      address: `${alertRule} alert MatrixCredentialStuffing`,
      message: 'threshold 1000000 is above 300',
    },
    {
      name: 'media alert without a comparison',
      mutate: editAlert('MatrixMediaExfiltration', (rule) => (rule.expr = 'vector(0)')),
      address: `${alertRule} alert MatrixMediaExfiltration`,
      message: 'does not end with "> <threshold>"',
    },
    {
      name: 'a hold of one day',
      mutate: editAlert('MatrixScrapeTargetDown', (rule) => (rule.for = '1d')),
      address: `${alertRule} alert MatrixScrapeTargetDown`,
      message: '"for" is 1d',
    },
    {
      name: 'a hold of 31 minutes',
      mutate: editAlert('MatrixCredentialStuffing', (rule) => (rule.for = '31m')),
      address: `${alertRule} alert MatrixCredentialStuffing`,
      message: '"for" is 31m',
    },
  ],
  good: [
    {
      name: 'thresholds at their bounds, holds of 30m',
      mutate: (j) => {
        threshold('MatrixMediaExfiltration', '53687091200')(j);
        threshold('MatrixUserDirectoryScraping', '600')(j);
        threshold('MatrixProfileScraping', '3000')(j);
        threshold('MatrixCredentialStuffing', '300')(j);
        editAlert('MatrixScrapeTargetAbsent', (rule) => (rule.for = '30m'))(j);
      },
    },
    {
      name: 'another alert of the site, without a signal label, holding 2h (not ours to bound)',
      mutate: (j) => {
        const groups = manifestSpecOf(j, R.alertRule).groups;
        const [first] = Array.isArray(groups) ? groups.filter(isObject) : [];
        if (!first || !Array.isArray(first.rules)) throw new Error('no rule group');
        first.rules.push({ alert: 'SiteCapacity', expr: 'sum(rate(x[5m])) > 1000000', for: '2h', labels: { severity: 'info' } });
      },
    },
  ],
  notApplicable: [{ name: 'no PrometheusRule', mutate: (j) => remove(j, R.alertRule) }],
};
