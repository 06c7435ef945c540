import { longRunningControllers } from '../../../tfjson/availability';
import { integerOf } from '../../../tfjson/fields';
import { containerAddress } from '../../../tfjson/pod-specs';
import { block, blocks, type JsonObject } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/** How long a probe fails before the kubelet acts, with the Kubernetes defaults for unset fields (10 s, 3 failures). */
function failureWindowSeconds(probe: JsonObject): number {
  return (integerOf(probe.period_seconds) ?? 10) * (integerOf(probe.failure_threshold) ?? 3);
}

/** JSON with sorted keys: two probes written in a different key order are the same probe. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * Every container of a long-running workload has a readiness probe (is it serving?) and a
 * liveness probe (is it wedged?) that differ, the liveness probe giving up later than the
 * readiness probe: a dependency outage that fails readiness takes the pod out of its Service
 * without restarting it.
 */
export const rule: Rule = {
  id: 'POD-11',
  title: 'Liveness and readiness probes both exist and differ',
  level: 'error',
  lesson:
    'A liveness probe that is the readiness probe restarts every pod when the database blinks: the outage of one dependency becomes a restart loop of the whole service, in the middle of an incident.',
  references: { nsaCisa: 'Availability' },
  fix: 'Declare the workload probe (readiness); the hardened pod template derives the liveness probe from it (a TCP check of the same port, 30 s apart, 6 failures).',
  appliesTo: { subject: 'Deployment or StatefulSet', presentIn: (stack) => longRunningControllers(stack).length > 0 },
  check: (stack) =>
    longRunningControllers(stack).flatMap(({ view }) =>
      blocks(view.podSpec.container).flatMap((container): Violation[] => {
        const address = containerAddress(view, container);
        const readiness = block(container.readiness_probe);
        const liveness = block(container.liveness_probe);
        const missing = [...(readiness ? [] : ['readiness']), ...(liveness ? [] : ['liveness'])];
        if (!readiness || !liveness) return [{ address, message: `no ${missing.join(' and no ')} probe` }];
        if (canonical(readiness) === canonical(liveness))
          return [{ address, message: 'the liveness probe is the readiness probe: a dependency outage would restart the container' }];
        const [live, ready] = [failureWindowSeconds(liveness), failureWindowSeconds(readiness)];
        if (live <= ready)
          return [
            {
              address,
              message: `the liveness probe gives up after ${live} s, the readiness probe after ${ready} s: a failure that only makes the pod unready would restart it`,
            },
          ];
        return [];
      }),
    ),
};
