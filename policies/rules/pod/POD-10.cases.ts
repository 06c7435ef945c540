/** The case table of POD-10 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { SINGLETON_ANNOTATION } from '../../../model/availability';
import { postgres, synapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import {
  add,
  address,
  CONFIG_CONTEXT,
  disruptionBudget,
  GATEWAY_NAMESPACE,
  metadataBlock,
  podSpecOf,
  R,
  remove,
  specOf,
  STANDALONE_CONTEXT,
  type ResourceRef,
} from '../../../test/policies/fixtures';
import type { JsonObject, TerraformJson } from '../../../tfjson/terraform-json';

const redis = address(R.redisDeployment);
const small = { ...CONFIG_CONTEXT, facts: { ...CONFIG_CONTEXT.facts!, profile: 'small' as const } };

function spread(workload: string, whenUnsatisfiable = 'DoNotSchedule'): JsonObject {
  return {
    label_selector: [{ match_labels: { 'matrix.sovereign/workload': workload } }],
    max_skew: 1,
    node_taints_policy: 'Honor',
    topology_key: 'kubernetes.io/hostname',
    when_unsatisfiable: whenUnsatisfiable,
  };
}

/** Synapse with two replicas, spread over nodes as `constraint` says (none: not spread). */
function twoSynapses(j: TerraformJson, constraint?: JsonObject): void {
  specOf(j, R.synapseDeployment).replicas = '2';
  if (constraint) podSpecOf(j, R.synapseDeployment).topology_spread_constraint = [constraint];
}

function withoutSingletonReason(j: TerraformJson): void {
  delete metadataBlock(j, R.redisDeployment).annotations;
}

function budgetSpec(j: TerraformJson, budget: ResourceRef): JsonObject {
  return specOf(j, budget);
}

const CONTROLLERS = [R.synapseDeployment, R.redisDeployment, R.postgresStatefulSet, R.openldapStatefulSet, R.rtcAuthDeployment];

export const cases: RuleCases = {
  bad: [
    {
      name: 'a workload without a disruption budget',
      mutate: (j) => remove(j, R.redisBudget),
      address: redis,
      message: 'no PodDisruptionBudget selects its pods',
    },
    {
      name: "its budget in another namespace than the workload's",
      mutate: (j) => (metadataBlock(j, R.redisBudget).namespace = GATEWAY_NAMESPACE),
      address: redis,
      message: 'no PodDisruptionBudget selects its pods',
    },
    {
      name: 'a budget that allows no eviction (maxUnavailable 0)',
      mutate: (j) => (budgetSpec(j, R.synapseBudget).max_unavailable = '0'),
      address: synapse,
      message: 'allows no disruption: a node drain would wait for it forever',
    },
    {
      name: 'a budget keeping every replica (minAvailable = replicas)',
      mutate: (j) => {
        delete budgetSpec(j, R.postgresBudget).max_unavailable;
        budgetSpec(j, R.postgresBudget).min_available = '1';
      },
      address: postgres,
      message: 'allows no disruption',
    },
    {
      name: 'a budget selecting every pod of the namespace',
      mutate: (j) => (budgetSpec(j, R.synapseBudget).selector = { match_labels: {} }),
      address: synapse,
      message: `its PodDisruptionBudget "synapse" also selects the pods of ${redis}`,
    },
    {
      name: 'two budgets for one workload (the eviction API refuses its pods)',
      mutate: (j) =>
        add(
          j,
          { type: 'kubernetes_pod_disruption_budget_v1', name: 'redis-again' },
          disruptionBudget(R.homeserverNamespace, 'homeserver', 'redis'),
        ),
      address: redis,
      message: '2 PodDisruptionBudgets select its pods',
    },
    {
      name: 'two replicas without a spread over nodes',
      mutate: (j) => twoSynapses(j),
      address: synapse,
      message: '2 replicas without a required spread over nodes (kubernetes.io/hostname)',
    },
    {
      name: 'two replicas that only prefer other nodes (ScheduleAnyway)',
      mutate: (j) => twoSynapses(j, spread('synapse', 'ScheduleAnyway')),
      address: synapse,
      message: 'without a required spread over nodes',
    },
    {
      name: "two replicas spread by another workload's pods",
      mutate: (j) => twoSynapses(j, spread('redis')),
      address: synapse,
      message: 'without a required spread over nodes',
    },
    {
      name: 'two replicas spread over zones only',
      mutate: (j) => twoSynapses(j, { ...spread('synapse'), topology_key: 'topology.kubernetes.io/zone' }),
      address: synapse,
      message: 'without a required spread over nodes',
    },
    {
      name: 'a stateless single replica on a production site, no reason given',
      mutate: withoutSingletonReason,
      address: redis,
      message: 'runs 1 replica(s) on a production site without a singleton reason (matrix.sovereign/singleton): at least 2',
    },
    {
      name: 'an empty singleton reason',
      mutate: (j) => (metadataBlock(j, R.redisDeployment).annotations = { [SINGLETON_ANNOTATION]: '  ' }),
      address: redis,
      message: 'without a singleton reason',
    },
    {
      name: 'replicas unset (one) without a reason',
      mutate: (j) => {
        withoutSingletonReason(j);
        delete specOf(j, R.redisDeployment).replicas;
      },
      address: redis,
      message: 'runs an unset number of replica(s) on a production site',
    },
  ],
  good: [
    { name: 'two replicas spread over nodes', mutate: (j) => twoSynapses(j, spread('synapse')) },
    {
      name: 'two replicas, a budget keeping one (minAvailable 1)',
      mutate: (j) => {
        twoSynapses(j, spread('synapse'));
        delete budgetSpec(j, R.synapseBudget).max_unavailable;
        budgetSpec(j, R.synapseBudget).min_available = '1';
      },
    },
    { name: 'a budget as a percentage (maxUnavailable 50%)', mutate: (j) => (budgetSpec(j, R.synapseBudget).max_unavailable = '50%') },
    { name: 'a stateless single replica on a small site', mutate: withoutSingletonReason, context: small },
    {
      name: 'a stateless single replica in a standalone audit (the profile is unknown: not judged)',
      mutate: withoutSingletonReason,
      context: STANDALONE_CONTEXT,
    },
  ],
  notApplicable: [
    {
      name: 'no Deployment or StatefulSet (budgets alone)',
      mutate: (j) => {
        for (const controller of CONTROLLERS) remove(j, controller);
      },
    },
  ],
};
