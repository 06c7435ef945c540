/** The policy packs are cdktf Aspects on each stack: a violation fails synthesis, naming the resource, rule and fix. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { App, Aspects, TerraformStack } from 'cdktf';
import { suppress } from '../../constructs/suppress';
import { loadDeploymentConfig } from '../../model/load-config';
import { PolicyPack } from '../../policies/policy-pack';
import { categoryOf, type Rule } from '../../policies/rule';
import { ALL_RULES } from '../../policies/rules';
import { composeDeployment } from '../../stacks/compose-deployment';
import type { SynthesizedStack } from '../../tfjson/terraform-json';

const NOW = new Date('2026-11-23T12:00:00Z');

function stackWithAccount(automount: boolean, suppressIt = false) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'agency-homeserver');
  new KubernetesProvider(stack, 'kubernetes', {});
  const account = new ServiceAccountV1(stack, 'reader', {
    metadata: { name: 'reader', namespace: 'agency-homeserver' },
    automountServiceAccountToken: automount,
  });
  if (suppressIt)
    suppress(
      account,
      { ruleId: 'RBAC-02', reason: 'legacy operator needs its token until migration', owner: 'team:platform', expires: '2027-01-31' },
      NOW,
    );
  const pack = new PolicyPack(
    stack,
    { now: NOW },
    ALL_RULES.filter((rule) => ['POD', 'RBAC'].includes(categoryOf(rule.id))),
  );
  Aspects.of(stack).add(pack);
  return { app, outdir, pack };
}

describe('PolicyPack', () => {
  it('fails synthesis on a violation, annotating the resource with the rule, the problem and the fix, and writes no stack', () => {
    const { app, outdir, pack } = stackWithAccount(true);
    expect(() => app.synth()).toThrow(
      /\[agency-homeserver\/reader\] \[RBAC-02\] kubernetes_service_account_v1\.reader: automount_service_account_token is not false\. Fix: Set automount_service_account_token = false/,
    );
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

  describe('resolves each stack once: the file written is the JSON the rules judged', () => {
    /** A stand-in rule that records what it was given, and fires when asked to. */
    function recordingRule(fire: boolean): { rule: Rule; judged: SynthesizedStack[] } {
      const judged: SynthesizedStack[] = [];
      const rule: Rule = {
        id: 'TEST-01',
        title: 'records the stack it judges',
        level: 'error',
        lesson: 'none: a test double',
        references: {},
        fix: 'none',
        check: (stack) => {
          judged.push(stack);
          return fire ? [{ address: 'kubernetes_service_account_v1.reader', message: 'fired on request' }] : [];
        },
      };
      return { rule, judged };
    }

    function stackWith(rule: Rule) {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-once-'));
      const app = new App({ outdir });
      const stack = new TerraformStack(app, 'agency-homeserver');
      new KubernetesProvider(stack, 'kubernetes', {});
      new ServiceAccountV1(stack, 'reader', {
        metadata: { name: 'reader', namespace: 'agency-homeserver' },
        automountServiceAccountToken: false,
      });
      Aspects.of(stack).add(new PolicyPack(stack, { now: NOW }, [rule]));
      return { app, stack, file: path.join(outdir, 'stacks', 'agency-homeserver', 'cdk.tf.json') };
    }

    afterEach(() => jest.restoreAllMocks());

    it('writes the audited JSON without resolving the stack again, and a later call resolves afresh', () => {
      const { rule, judged } = recordingRule(false);
      const { app, stack, file } = stackWith(rule);
      const resolutions = jest.spyOn(TerraformStack.prototype, 'toTerraform');
      app.synth();
      expect(judged).toHaveLength(1);
      expect(resolutions).toHaveBeenCalledTimes(1);
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(judged[0]?.json);
      // The hand-over was used up by the write: the stack's own method is back.
      expect(Object.prototype.hasOwnProperty.call(stack, 'toTerraform')).toBe(false);
      expect(stack.toTerraform()).toEqual(judged[0]?.json);
      expect(resolutions).toHaveBeenCalledTimes(2);
    });

    it('hands nothing over when the audit found an error (cdktf refuses the stack before writing)', () => {
      const { rule } = recordingRule(true);
      const { app, stack, file } = stackWith(rule);
      expect(() => app.synth()).toThrow(/\[TEST-01\] kubernetes_service_account_v1\.reader: fired on request/);
      expect(Object.prototype.hasOwnProperty.call(stack, 'toTerraform')).toBe(false);
      expect(fs.existsSync(file)).toBe(false);
    });
  });
});
