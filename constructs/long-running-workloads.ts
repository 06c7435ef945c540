/** The construct that runs each long-running workload of the catalogue, chosen by its spec's kind. */
import type { Construct } from 'constructs';
import { HardenedDeployment, type HardenedDeploymentProps } from './hardened-deployment';
import { HardenedStatefulSet, type HardenedStatefulSetProps } from './hardened-stateful-set';
import type { LongRunningWorkload } from './long-running-workload';

const CONTROLLERS = { Deployment: HardenedDeployment, StatefulSet: HardenedStatefulSet } as const;

/** Adds the workload under its own name; a Job is refused (it runs to completion: HardenedJob). */
export function longRunningWorkload(scope: Construct, props: HardenedDeploymentProps & HardenedStatefulSetProps): LongRunningWorkload {
  const { kind, name } = props.spec;
  if (kind === 'Job') throw new Error(`workload "${name}" is a Job: it runs to completion, not as a long-running workload`);
  return new CONTROLLERS[kind](scope, name, props);
}
