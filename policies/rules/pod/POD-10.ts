import { HOSTNAME_TOPOLOGY_KEY } from '../../../model/availability';
import {
  disruptionBudgets,
  longRunningControllers,
  selectsPodsOf,
  type ControllerView,
  type DisruptionBudgetView,
} from '../../../tfjson/availability';
import { selectorOf, selects } from '../../../tfjson/label-selectors';
import { block, blocks } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

const MINIMUM_REPLICAS = 2;

/** Whether the budget lets a drain evict at least one pod (`maxUnavailable: 0` or `minAvailable` of every pod holds drains forever). */
function allowsDisruption(budget: DisruptionBudgetView, replicas: number | undefined): boolean {
  const { maxUnavailable, minAvailable } = budget;
  if (maxUnavailable !== undefined) return !/^0+%?$/.test(maxUnavailable);
  if (minAvailable === undefined) return false;
  if (minAvailable.endsWith('%')) return Number(minAvailable.slice(0, -1)) < 100;
  return replicas !== undefined && Number(minAvailable) < replicas;
}

/** The budget problems of one controller, given every budget of the stack and every other controller. */
function budgetViolations(
  controller: ControllerView,
  budgets: readonly DisruptionBudgetView[],
  others: readonly ControllerView[],
): string[] {
  const own = budgets.filter((budget) => selectsPodsOf(budget, controller));
  if (own.length === 0) return ['no PodDisruptionBudget selects its pods: a node drain may evict all of them at once'];
  if (own.length > 1)
    return [
      `${own.length} PodDisruptionBudgets select its pods (${own.map((b) => b.name ?? '?').join(', ')}): the eviction API refuses such pods`,
    ];
  const [budget] = own;
  if (!budget) return [];
  const problems: string[] = [];
  const shared = others.filter((other) => selectsPodsOf(budget, other));
  if (shared.length > 0)
    problems.push(
      `its PodDisruptionBudget "${budget.name ?? '?'}" also selects the pods of ${shared.map((o) => o.view.resource.address).join(', ')}`,
    );
  if (!allowsDisruption(budget, controller.replicas))
    problems.push(`its PodDisruptionBudget "${budget.name ?? '?'}" allows no disruption: a node drain would wait for it forever`);
  return problems;
}

/** A required spread over nodes, counting the controller's own pods. */
function spreadsOverNodes(controller: ControllerView): boolean {
  return blocks(controller.view.podSpec.topology_spread_constraint).some((constraint) => {
    const selector = selectorOf(block(constraint.label_selector));
    return (
      constraint.topology_key === HOSTNAME_TOPOLOGY_KEY &&
      constraint.when_unsatisfiable === 'DoNotSchedule' &&
      selector !== undefined &&
      selects(selector, controller.podLabels)
    );
  });
}

/**
 * A long-running workload stays available through node drains and node loss: exactly one
 * PodDisruptionBudget selects its pods (and no other workload's), allowing at least one
 * eviction; with two or more replicas its pods are spread over nodes (required, on
 * `kubernetes.io/hostname`); and on a production site a workload without storage runs at least
 * two replicas, unless its controller states why it runs one (`matrix.sovereign/singleton`).
 */
export const rule: Rule = {
  id: 'POD-10',
  title: 'Long-running workloads survive drains and node loss',
  level: 'error',
  lesson:
    'An intrusion is answered by patching and rotating nodes: a service that one drain or one node failure takes down entirely turns every response into an outage, and an outage into pressure to skip the response.',
  references: { nsaCisa: 'Availability', anssi: 'R40' },
  fix: 'Keep the HardenedDeployment/HardenedStatefulSet defaults (a PodDisruptionBudget with maxUnavailable 1, a hostname spread for two or more replicas); on a production site run two or more replicas of a stateless workload, or give its spec a singletonReason.',
  siteFacts: {
    facts: ['profile'],
    unjudged: 'that a stateless workload runs two replicas or states why it runs one (asked of production sites only)',
  },
  appliesTo: { subject: 'Deployment or StatefulSet', presentIn: (stack) => longRunningControllers(stack).length > 0 },
  check: (stack, context) => {
    const controllers = longRunningControllers(stack);
    const budgets = disruptionBudgets(stack);
    return controllers.flatMap((controller): Violation[] => {
      const address = controller.view.resource.address;
      const others = controllers.filter((other) => other !== controller);
      const problems = budgetViolations(controller, budgets, others);
      const { replicas } = controller;
      if (replicas !== undefined && replicas >= MINIMUM_REPLICAS && !spreadsOverNodes(controller))
        problems.push(`${replicas} replicas without a required spread over nodes (${HOSTNAME_TOPOLOGY_KEY}): they may all run on one node`);
      const singleton = controller.singletonReason !== undefined && controller.singletonReason.trim() !== '';
      if (context.facts?.profile === 'production' && !controller.hasStorage && !singleton && (replicas ?? 1) < MINIMUM_REPLICAS)
        problems.push(
          `runs ${replicas ?? 'an unset number of'} replica(s) on a production site without a singleton reason (matrix.sovereign/singleton): at least ${MINIMUM_REPLICAS}`,
        );
      return problems.map((message) => ({ address, message }));
    });
  },
};
