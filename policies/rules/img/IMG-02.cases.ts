/** The case table of IMG-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { esoImage, esoRelease, postgresContainer, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { BadCase, RuleCases } from '../../../test/policies/case-table';
import { containerOf, editHelmValues, R, STANDALONE_CONTEXT, SYNAPSE_IMAGE } from '../../../test/policies/fixtures';

const IMG_02_HELM_CASES: BadCase[] = [
  {
    name: 'chart image from a registry not allowlisted',
    mutate: (j) =>
      editHelmValues(
        j,
        R.externalSecretsRelease,
        (values) => (esoImage(values).repository = 'registry.example.org/external-secrets/external-secrets'),
      ),
    address: `${esoRelease} values.image`,
    message: 'registry of "registry.example.org/external-secrets/external-secrets:v2.10.0@sha256:',
  },
  {
    name: 'chart image registry key not allowlisted',
    mutate: (j) =>
      editHelmValues(j, R.externalSecretsRelease, (values) =>
        Object.assign(esoImage(values, 'webhook'), { registry: 'registry.example.org', repository: 'external-secrets/external-secrets' }),
      ),
    address: `${esoRelease} values.webhook.image`,
    message: 'registry of "registry.example.org/external-secrets/external-secrets',
  },
  {
    name: 'chart image without registry host (standalone)',
    mutate: (j) =>
      editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).repository = 'external-secrets/external-secrets')),
    context: STANDALONE_CONTEXT,
    address: `${esoRelease} values.image`,
    message: 'is not allowlisted (no registry host named)',
  },
];

export const cases: RuleCases = {
  bad: [
    {
      name: 'registry not allowlisted',
      mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace('ghcr.io', 'registry.example.org')),
      address: synapseContainer,
      message: 'registry of "registry.example.org/element-hq/synapse',
    },
    {
      name: 'no explicit registry (standalone)',
      mutate: (j) => (containerOf(j, R.postgresStatefulSet).image = 'postgres:17'),
      context: STANDALONE_CONTEXT,
      address: postgresContainer,
      message: 'registry of "postgres:17" is not allowlisted',
    },
    ...IMG_02_HELM_CASES,
  ],
  good: [
    {
      name: 'explicit registry without config',
      mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace('ghcr.io', 'quay.io')),
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'chart image registry given as a registry key',
      mutate: (j) =>
        editHelmValues(j, R.externalSecretsRelease, (values) =>
          Object.assign(esoImage(values), { registry: 'quay.io', repository: 'external-secrets/external-secrets' }),
        ),
    },
    {
      name: 'chart image from any explicit registry without config',
      mutate: (j) =>
        editHelmValues(
          j,
          R.externalSecretsRelease,
          (values) => (esoImage(values).repository = 'registry.example.org/external-secrets/external-secrets'),
        ),
      context: STANDALONE_CONTEXT,
    },
  ],
};
