/** The policy packs are cdktf Aspects on each stack: a violation fails synthesis, naming the resource, rule and fix. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Aspects, TerraformStack } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { suppress } from '../../constructs/suppress';
import { PolicyPack } from '../../policies/policy-pack';
import { POD_RULES } from '../../policies/rules/pod';
import { RBAC_RULES } from '../../policies/rules/rbac';
import { loadDeploymentConfig } from '../../config/load-config';
import { composeDeployment } from '../../stacks/compose-deployment';

const NOW = new Date('2026-11-23T12:00:00Z');

function stackWithAccount(automount: boolean, suppressIt = false) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'agency-homeserver');
  new KubernetesProvider(stack, 'kubernetes', {});
  const account = new ServiceAccountV1(stack, 'reader', { metadata: { name: 'reader', namespace: 'agency-homeserver' }, automountServiceAccountToken: automount });
  if (suppressIt) suppress(account, { ruleId: 'RBAC-02', reason: 'legacy operator needs its token until migration', owner: 'team:platform', expires: '2027-01-31' }, NOW);
  const pack = new PolicyPack(stack, { now: NOW }, [...POD_RULES, ...RBAC_RULES]);
  Aspects.of(stack).add(pack);
  return { app, outdir, pack };
}

describe('PolicyPack', () => {
  it('fails synthesis on a violation, annotating the resource with the rule, the problem and the fix, and writes no stack', () => {
    const { app, outdir, pack } = stackWithAccount(true);
    expect(() => app.synth()).toThrow(/\[agency-homeserver\/reader\] \[RBAC-02\] kubernetes_service_account_v1\.reader: automount_service_account_token is not false\. Fix: Set automount_service_account_token = false/);
    expect(pack.result?.errors.map((finding) => finding.ruleId)).toEqual(['RBAC-02']);
    expect(fs.existsSync(path.join(outdir, 'stacks', 'agency-homeserver', 'cdk.tf.json'))).toBe(false);
  });

  it('lets a compliant stack synthesize', () => {
    const { app, outdir, pack } = stackWithAccount(false);
    app.synth();
    expect(pack.result?.findings).toEqual([]);
    expect(fs.existsSync(path.join(outdir, 'stacks', 'agency-homeserver', 'cdk.tf.json'))).toBe(true);
  });

  it('lets a suppressed violation synthesize and reports it as suppressed', () => {
    const { app, pack } = stackWithAccount(true, true);
    app.synth();
    expect(pack.result?.suppressed.map((finding) => `${finding.ruleId} ${finding.suppression.owner}`)).toEqual(['RBAC-02 team:platform']);
  });

  it('is attached to every stack of the deployment (aspects on the App are not invoked for stacks)', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'pack-all-')) });
    const composed = composeDeployment(app, loadDeploymentConfig());
    expect(composed.packs).toHaveLength(composed.all.length);
    for (const stack of composed.all) expect(Aspects.of(stack).all.filter((aspect) => aspect instanceof PolicyPack)).toHaveLength(1);
    app.synth();
    expect(composed.packs.every((pack) => pack.result !== undefined && pack.result.errors.length === 0)).toBe(true);
  });
});
