/** The case table of SEC-05 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgresContainer, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { containerAddress, containerOf, copy, podSpecOf, R } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'env from a secret_key_ref',
      mutate: (j) =>
        (containerOf(j, R.synapseDeployment).env = [
          { name: 'SYNAPSE_FORM_SECRET', value_from: { secret_key_ref: { key: 'form', name: 'synapse-keys' } } },
        ]),
      address: synapseContainer,
      message: 'env "SYNAPSE_FORM_SECRET" reads Secret "synapse-keys" key "form"',
    },
    {
      name: 'env_from a secret_ref',
      mutate: (j) => (containerOf(j, R.postgresStatefulSet).env_from = [{ secret_ref: { name: 'synapse-database' } }]),
      address: postgresContainer,
      message: 'env_from imports every key of Secret "synapse-database"',
    },
    {
      name: 'init container env from a secret_key_ref',
      mutate: (j) => {
        const init = copy(containerOf(j, R.synapseDeployment));
        Object.assign(init, {
          name: 'migrate',
          command: ['/bin/true'],
          env: [{ name: 'PGPASSWORD', value_from: [{ secret_key_ref: [{ key: 'password', name: 'synapse-database' }] }] }],
        });
        podSpecOf(j, R.synapseDeployment).init_container = [init];
      },
      address: containerAddress(R.synapseDeployment, 'migrate'),
      message: 'env "PGPASSWORD" reads Secret "synapse-database"',
    },
  ],
  good: [
    {
      name: 'env from a config_map_key_ref',
      mutate: (j) =>
        (containerOf(j, R.synapseDeployment).env = [
          { name: 'SYNAPSE_CONFIG_DIR', value_from: { config_map_key_ref: { key: 'dir', name: 'synapse-config' } } },
        ]),
    },
    {
      name: 'env_from a config_map_ref',
      mutate: (j) => (containerOf(j, R.synapseDeployment).env_from = [{ config_map_ref: { name: 'synapse-config' } }]),
    },
    {
      name: 'env from a field_ref',
      mutate: (j) =>
        (containerOf(j, R.synapseDeployment).env = [{ name: 'POD_NAME', value_from: { field_ref: { field_path: 'metadata.name' } } }]),
    },
  ],
};
