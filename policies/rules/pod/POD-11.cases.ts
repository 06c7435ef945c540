/** The case table of POD-11 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgresContainer, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { child, containerOf, R, remove } from '../../../test/policies/fixtures';
import type { JsonObject, TerraformJson } from '../../../tfjson/terraform-json';

const synapse = (j: TerraformJson): JsonObject => containerOf(j, R.synapseDeployment);

export const cases: RuleCases = {
  bad: [
    {
      name: 'no liveness probe',
      mutate: (j) => delete synapse(j).liveness_probe,
      address: synapseContainer,
      message: 'no liveness probe',
    },
    {
      name: 'no readiness probe',
      mutate: (j) => delete containerOf(j, R.postgresStatefulSet).readiness_probe,
      address: postgresContainer,
      message: 'no readiness probe',
    },
    {
      name: 'no probe at all',
      mutate: (j) => {
        delete synapse(j).liveness_probe;
        delete synapse(j).readiness_probe;
      },
      address: synapseContainer,
      message: 'no readiness and no liveness probe',
    },
    {
      name: 'the liveness probe is the readiness probe (keys in another order)',
      mutate: (j) => {
        const readiness = child(synapse(j), 'readiness_probe');
        synapse(j).liveness_probe = Object.fromEntries(Object.entries(readiness).reverse());
      },
      address: synapseContainer,
      message: 'the liveness probe is the readiness probe',
    },
    {
      name: 'a liveness probe that gives up sooner than readiness',
      mutate: (j) => Object.assign(child(synapse(j), 'liveness_probe'), { period_seconds: 5, failure_threshold: 3 }),
      address: synapseContainer,
      message: 'the liveness probe gives up after 15 s, the readiness probe after 60 s',
    },
    {
      name: 'another handler, but the same window (an outage restarts as soon as it unreadies)',
      mutate: (j) =>
        (synapse(j).liveness_probe = { http_get: { path: '/health', port: 'main' }, period_seconds: 10, failure_threshold: 6 }),
      address: synapseContainer,
      message: 'gives up after 60 s, the readiness probe after 60 s',
    },
  ],
  good: [
    {
      name: 'HTTP readiness, TCP liveness over a longer window',
      mutate: (j) =>
        (synapse(j).readiness_probe = { http_get: { path: '/health', port: 'main' }, period_seconds: 10, failure_threshold: 3 }),
    },
    {
      name: "a liveness probe on Kubernetes' default period (10 s) with ten failures",
      mutate: (j) => (synapse(j).liveness_probe = { tcp_socket: [{ port: 'main' }], failure_threshold: 10 }),
    },
  ],
  notApplicable: [
    {
      name: 'no Deployment or StatefulSet (scheduled jobs have no probes)',
      mutate: (j) => {
        for (const controller of [
          R.synapseDeployment,
          R.redisDeployment,
          R.postgresStatefulSet,
          R.openldapStatefulSet,
          R.rtcAuthDeployment,
        ])
          remove(j, controller);
      },
    },
  ],
};
