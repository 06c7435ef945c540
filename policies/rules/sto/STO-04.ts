import { longRunningControllers, selectsPodsOf, services } from '../../../tfjson/availability';
import { block } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/**
 * A StatefulSet's `serviceName` names a headless Service (clusterIP None) of the stack, in the
 * set's namespace, that selects the set's pods: the Service that gives each pod its stable
 * DNS name, and nothing else.
 */
export const rule: Rule = {
  id: 'STO-04',
  title: 'Every StatefulSet is governed by its own headless Service',
  level: 'error',
  lesson:
    "A StatefulSet pointing at a missing or load-balancing Service has no stable pod names: replicas and clients find each other by guesswork, and a Service that is not the set's own may route to someone else's pods.",
  references: { nsaCisa: 'Availability' },
  fix: 'Keep HardenedStatefulSet: it creates `<name>-pods` (clusterIP None, the set selector, no port) and names it as serviceName.',
  appliesTo: {
    subject: 'StatefulSet',
    presentIn: (stack) => longRunningControllers(stack).some((controller) => controller.kind === 'StatefulSet'),
  },
  check: (stack) => {
    const candidates = services(stack);
    return longRunningControllers(stack)
      .filter((controller) => controller.kind === 'StatefulSet')
      .flatMap((set): Violation[] => {
        const address = set.view.resource.address;
        const serviceName = block(set.view.resource.body.spec)?.service_name;
        if (typeof serviceName !== 'string' || serviceName === '') return [{ address, message: 'service_name is not set' }];
        const service = candidates.find((candidate) => candidate.name === serviceName && candidate.namespace === set.namespace);
        if (!service) return [{ address, message: `service_name "${serviceName}" names no Service of the stack in its namespace` }];
        const problems: string[] = [];
        if (service.clusterIp !== 'None')
          problems.push(
            `service_name "${serviceName}" is not headless (cluster_ip ${JSON.stringify(service.clusterIp ?? null)}, not "None")`,
          );
        if (!selectsPodsOf(service, set)) problems.push(`service_name "${serviceName}" does not select the set's pods`);
        return problems.map((message) => ({ address, message }));
      });
  },
};
