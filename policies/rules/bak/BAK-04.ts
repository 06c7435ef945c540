import { postgresClusters } from '../../../tfjson/postgres-clusters';
import { block } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

const MINIMUM = 2;

/** In production, every PostgreSQL cluster runs at least two instances and every commit waits for a standby. */
export const rule: Rule = {
  id: 'BAK-04',
  title: 'Production databases keep a synchronous standby',
  level: 'error',
  lesson:
    'One database pod is one node failure away from an outage and one volume loss away from a restore that loses what was not yet archived.',
  references: { nsaCisa: 'Availability', anssi: 'R40' },
  fix: 'Set homeservers[].postgres.instances to 2 or more (the production default is 3), which also makes each commit wait for one standby (postgresql.synchronous: method any, number 1, dataDurability required).',
  siteFacts: { facts: ['profile'], unjudged: 'whether the site is a production site (deployment.profile)' },
  appliesTo: { subject: 'PostgreSQL cluster', presentIn: (stack) => postgresClusters(stack).length > 0 },
  check: (stack, context) => {
    if (context.facts?.profile !== 'production') return [];
    return postgresClusters(stack).flatMap((cluster): Violation[] => {
      const address = cluster.view.resource.address;
      const instances = cluster.spec.instances;
      if (typeof instances !== 'number' || instances < MINIMUM)
        return [
          {
            address,
            message: `${cluster.view.label} runs ${typeof instances === 'number' ? instances : 'an unset number of'} instance(s) on a production site: at least ${MINIMUM}`,
          },
        ];
      const synchronous = block(block(cluster.spec.postgresql)?.synchronous);
      const number = synchronous?.number;
      if (!synchronous || typeof number !== 'number' || number < 1 || synchronous.dataDurability !== 'required')
        return [
          {
            address,
            message: `${cluster.view.label} does not wait for a standby on commit (postgresql.synchronous with number >= 1 and dataDurability required): a failover can lose committed transactions`,
          },
        ];
      return [];
    });
  },
};
