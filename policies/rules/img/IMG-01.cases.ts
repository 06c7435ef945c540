/** The case table of IMG-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { ESO_DIGEST, esoImage, esoRelease, postgresContainer, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { BadCase, RuleCases } from '../../../test/policies/case-table';
import { body, containerOf, editHelmValues, R, SYNAPSE_IMAGE } from '../../../test/policies/fixtures';

const IMG_01_HELM_CASES: BadCase[] = [
  {
    name: 'chart image by tag only',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).tag = 'v2.10.0')),
    address: `${esoRelease} values.image`,
    message: 'must be pinned by digest',
  },
  {
    name: 'nested chart image by tag only',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values, 'webhook').tag = 'v2.10.0')),
    address: `${esoRelease} values.webhook.image`,
    message: 'image "ghcr.io/external-secrets/external-secrets:v2.10.0" must be pinned by digest',
  },
  {
    name: 'chart image with an uppercase digest key',
    mutate: (j) =>
      editHelmValues(j, R.externalSecretsRelease, (values) =>
        Object.assign(esoImage(values, 'certController'), { tag: 'v2.10.0', digest: ESO_DIGEST.toUpperCase().replace('SHA256', 'sha256') }),
      ),
    address: `${esoRelease} values.certController.image`,
    message: 'must have the form',
  },
  {
    name: 'chart image with a repository only (chart default tag)',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => delete esoImage(values).tag),
    address: `${esoRelease} values.image`,
    message: 'image "ghcr.io/external-secrets/external-secrets" must be pinned by digest',
  },
  {
    name: 'chart image in a list',
    mutate: (j) =>
      editHelmValues(
        j,
        R.externalSecretsRelease,
        (values) => (values.extraContainers = [{ name: 'sidecar', image: { repository: 'ghcr.io/example/sidecar', tag: '1.0' } }]),
      ),
    address: `${esoRelease} values.extraContainers[0].image`,
    message: 'must be pinned by digest',
  },
  {
    name: 'digest replaced by a set entry',
    mutate: (j) => (body(j, R.externalSecretsRelease).set = [{ name: 'image.tag', value: 'v2.10.0' }]),
    address: `${esoRelease} values.image`,
    message: 'must be pinned by digest',
  },
  {
    name: 'values not valid YAML',
    mutate: (j) => (body(j, R.externalSecretsRelease).values = ['image: [unclosed\n']),
    address: esoRelease,
    message: 'values[0] is not valid YAML',
  },
  {
    name: 'values not a mapping (opaque expression)',
    mutate: (j) => (body(j, R.externalSecretsRelease).values = ['${file("values.yaml")}']),
    address: esoRelease,
    message: 'values[0] is not a YAML mapping',
  },
];

export const cases: RuleCases = {
  bad: [
    {
      name: 'tag-only image',
      mutate: (j) => (containerOf(j, R.synapseDeployment).image = 'ghcr.io/element-hq/synapse:v1.159.0'),
      address: synapseContainer,
      message: 'must be pinned by digest',
    },
    {
      name: 'Docker Hub shorthand',
      mutate: (j) => (containerOf(j, R.postgresStatefulSet).image = `library/postgres@${SYNAPSE_IMAGE.split('@')[1] ?? ''}`),
      address: postgresContainer,
      message: 'must name its registry explicitly',
    },
    {
      name: 'uppercase digest',
      mutate: (j) =>
        (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace(
          /sha256:([a-f0-9]+)/,
          (_match, hex: string) => `sha256:${hex.toUpperCase()}`,
        )),
      address: synapseContainer,
      message: 'must have the form',
    },
    {
      name: 'image absent',
      mutate: (j) => delete containerOf(j, R.synapseDeployment).image,
      address: synapseContainer,
      message: 'image "" must be pinned by digest',
    },
    ...IMG_01_HELM_CASES,
  ],
  good: [
    {
      name: 'chart image as registry + repository + tag + digest keys',
      mutate: (j) =>
        editHelmValues(j, R.externalSecretsRelease, (values) =>
          Object.assign(esoImage(values), {
            registry: 'ghcr.io',
            repository: 'external-secrets/external-secrets',
            tag: 'v2.10.0',
            digest: ESO_DIGEST,
          }),
        ),
    },
    {
      name: 'chart image by digest without tag',
      mutate: (j) =>
        editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values), { tag: '', digest: ESO_DIGEST })),
    },
  ],
};
