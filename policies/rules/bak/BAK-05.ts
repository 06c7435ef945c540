import { postgresClusters } from '../../../tfjson/postgres-clusters';
import { NAMESPACE_TYPES } from '../../../tfjson/resource-types';
import { block, metadataOf, resources, type JsonObject } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

const preventsDestroy = (body: JsonObject) => block(body.lifecycle)?.prevent_destroy === true;

/**
 * Every PostgreSQL cluster survives an ordinary destroy: the Cluster and the namespace that holds
 * it carry `lifecycle.prevent_destroy`, as the seal key does (SEC-07). Deleting either makes the
 * operator delete the instances' volumes; only the backups would remain.
 */
export const rule: Rule = {
  id: 'BAK-05',
  title: 'The database and the namespace that holds it survive an ordinary destroy',
  level: 'error',
  lesson:
    'A destroy run to rebuild after an intrusion must not delete the database with it; restoring from backups loses what they have not yet archived.',
  references: { nsaCisa: 'Data protection: backups', anssi: 'R40' },
  fix: 'Set lifecycle { prevent_destroy = true } on the Cluster and on its namespace; retire a deployment with the documented procedure.',
  appliesTo: { subject: 'PostgreSQL cluster', presentIn: (stack) => postgresClusters(stack).length > 0 },
  check: (stack) => {
    const clusters = postgresClusters(stack);
    const violations: Violation[] = clusters
      .filter((cluster) => !preventsDestroy(cluster.view.resource.body))
      .map((cluster) => ({
        address: cluster.view.resource.address,
        message: `${cluster.view.label} can be destroyed by an ordinary destroy: the operator would delete its volumes`,
      }));
    const namespaces = new Set(clusters.map((cluster) => cluster.view.namespace));
    for (const namespace of resources(stack, ...NAMESPACE_TYPES)) {
      const name = metadataOf(namespace).name;
      if (typeof name === 'string' && namespaces.has(name) && !preventsDestroy(namespace.body))
        violations.push({
          address: namespace.address,
          message: `namespace ${name} holds a PostgreSQL cluster and can be destroyed by an ordinary destroy`,
        });
    }
    return violations;
  },
};
