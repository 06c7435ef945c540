/**
 * The platform charts' availability as the platform stack writes it: two pods of every
 * leader-elected controller and webhook in production, each pair with its own disruption
 * budget; one pod each on a small site; OpenBao and the barman-cloud plugin one pod always.
 */
import { Testing } from 'cdktf';
import type { DeploymentConfig } from '../../config/deployment-config';
import { loadDeploymentConfig, parseDeploymentConfig } from '../../model/load-config';
import { PLATFORM_PODS, platformReplicas } from '../../model/platform';
import { PlatformStack } from '../../stacks/platform-stack';
import { defaultConfigObject, setPath, toYaml } from '../config/config-fixtures';

type Budget = { metadata: { name: string }; spec: { max_unavailable: string; selector: { match_labels: Record<string, string> } } };

function budgets(config: DeploymentConfig): Budget[] {
  const app = Testing.app();
  const stack = new PlatformStack(app, config);
  const json = JSON.parse(Testing.synth(stack)) as { resource?: { kubernetes_pod_disruption_budget_v1?: Record<string, Budget> } };
  return Object.values(json.resource?.kubernetes_pod_disruption_budget_v1 ?? {});
}

const production = loadDeploymentConfig();
const small = (() => {
  const raw = defaultConfigObject();
  setPath(raw, 'deployment.profile', 'small');
  return parseDeploymentConfig(toYaml(raw));
})();

describe('platform charts in production', () => {
  it('run two pods of every controller and webhook, one OpenBao server and one barman-cloud plugin', () => {
    expect(Object.fromEntries(PLATFORM_PODS.map((pod) => [pod.name, platformReplicas(pod, production.profile)]))).toEqual({
      'cert-manager': 2,
      'cert-manager-webhook': 2,
      'cert-manager-cainjector': 2,
      'trust-manager': 2,
      'external-secrets': 2,
      'external-secrets-webhook': 2,
      'external-secrets-cert-controller': 2,
      openbao: 1,
      'cloudnative-pg': 2,
      'barman-cloud': 1,
    });
  });

  it('give each replicated pair a disruption budget of its own, one pod at a time, selecting exactly its pods', () => {
    const written = budgets(production);
    const replicated = PLATFORM_PODS.filter((pod) => platformReplicas(pod, production.profile) >= 2);
    expect(written.map((budget) => budget.metadata.name).sort()).toEqual(replicated.map((pod) => pod.name).sort());
    for (const pod of replicated) {
      expect(written.find((budget) => budget.metadata.name === pod.name)?.spec).toEqual({
        max_unavailable: '1',
        selector: { match_labels: { ...pod.podLabels } },
      });
    }
  });
});

describe('platform charts on a small site', () => {
  it('run one pod each, and need no budget', () => {
    for (const pod of PLATFORM_PODS)
      expect({ pod: pod.name, replicas: platformReplicas(pod, small.profile) }).toEqual({ pod: pod.name, replicas: 1 });
    expect(budgets(small)).toEqual([]);
  });
});
