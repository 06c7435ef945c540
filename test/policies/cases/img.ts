/** IMG rules (supply chain): mutations of the compliant fixture that must fire, and near misses that must not. */
import { body, child, containerOf, editHelmValues, R, requiredProviders, STANDALONE_CONTEXT, SYNAPSE_IMAGE } from '../fixtures';
import { ESO_DIGEST, esoImage, esoRelease, postgresContainer, synapseContainer } from './helpers';
import type { CaseTable, FiringCase, NearMiss } from './types';
const IMG_01_HELM_CASES: FiringCase[] = [
  { name: 'chart image by tag only', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).tag = 'v2.10.0')), address: `${esoRelease} values.image`, message: 'must be pinned by digest' },
  {
    name: 'nested chart image by tag only',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values, 'webhook').tag = 'v2.10.0')),
    address: `${esoRelease} values.webhook.image`,
    message: 'image "ghcr.io/external-secrets/external-secrets:v2.10.0" must be pinned by digest',
  },
  {
    name: 'chart image with an uppercase digest key',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values, 'certController'), { tag: 'v2.10.0', digest: ESO_DIGEST.toUpperCase().replace('SHA256', 'sha256') })),
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
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (values.extraContainers = [{ name: 'sidecar', image: { repository: 'ghcr.io/example/sidecar', tag: '1.0' } }])),
    address: `${esoRelease} values.extraContainers[0].image`,
    message: 'must be pinned by digest',
  },
  {
    name: 'digest replaced by a set entry',
    mutate: (j) => (body(j, R.externalSecretsRelease).set = [{ name: 'image.tag', value: 'v2.10.0' }]),
    address: `${esoRelease} values.image`,
    message: 'must be pinned by digest',
  },
  { name: 'values not valid YAML', mutate: (j) => (body(j, R.externalSecretsRelease).values = ['image: [unclosed\n']), address: esoRelease, message: 'values[0] is not valid YAML' },
  {
    name: 'values not a mapping (opaque expression)',
    mutate: (j) => (body(j, R.externalSecretsRelease).values = ['${file("values.yaml")}']),
    address: esoRelease,
    message: 'values[0] is not a YAML mapping',
  },
];

const IMG_02_HELM_CASES: FiringCase[] = [
  {
    name: 'chart image from a registry not allowlisted',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).repository = 'registry.example.org/external-secrets/external-secrets')),
    address: `${esoRelease} values.image`,
    message: 'registry of "registry.example.org/external-secrets/external-secrets:v2.10.0@sha256:',
  },
  {
    name: 'chart image registry key not allowlisted',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values, 'webhook'), { registry: 'registry.example.org', repository: 'external-secrets/external-secrets' })),
    address: `${esoRelease} values.webhook.image`,
    message: 'registry of "registry.example.org/external-secrets/external-secrets',
  },
  {
    name: 'chart image without registry host (standalone)',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).repository = 'external-secrets/external-secrets')),
    context: STANDALONE_CONTEXT,
    address: `${esoRelease} values.image`,
    message: 'is not allowlisted (no registry host named)',
  },
];

const IMG_03_HELM_CASES: FiringCase[] = [
  { name: 'chart version range', mutate: (j) => (body(j, R.externalSecretsRelease).version = '~2.10'), address: esoRelease, message: 'chart version "~2.10" is not an exact version' },
  { name: 'chart version absent', mutate: (j) => delete body(j, R.externalSecretsRelease).version, address: esoRelease, message: 'chart version null is not an exact version' },
  { name: 'chart version with two parts', mutate: (j) => (body(j, R.externalSecretsRelease).version = '2.10'), address: esoRelease, message: 'chart version "2.10" is not an exact version' },
  { name: 'chart version "latest"', mutate: (j) => (body(j, R.externalSecretsRelease).version = 'latest'), address: esoRelease, message: 'chart version "latest"' },
  { name: 'http:// repository', mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'http://charts.external-secrets.io'), address: esoRelease, message: 'repository "http://charts.external-secrets.io" is not an https:// or oci:// URL' },
  { name: 'no repository, chart by name', mutate: (j) => delete body(j, R.externalSecretsRelease).repository, address: esoRelease, message: 'chart "external-secrets" has no repository and is not an oci:// reference' },
  {
    name: 'no repository, local chart path',
    mutate: (j) => {
      delete body(j, R.externalSecretsRelease).repository;
      body(j, R.externalSecretsRelease).chart = './charts/external-secrets';
    },
    address: esoRelease,
    message: 'chart "./charts/external-secrets" has no repository',
  },
  { name: 'repository not allowlisted', mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'https://charts.example.org'), address: esoRelease, message: 'repository "https://charts.example.org" is not in platform.charts.allowedRepositories' },
  {
    name: 'oci:// chart not allowlisted',
    mutate: (j) => {
      delete body(j, R.externalSecretsRelease).repository;
      body(j, R.externalSecretsRelease).chart = 'oci://ghcr.io/external-secrets/charts/external-secrets';
    },
    address: esoRelease,
    message: 'repository "oci://ghcr.io/external-secrets/charts" is not in platform.charts.allowedRepositories',
  },
  { name: 'devel true', mutate: (j) => (body(j, R.externalSecretsRelease).devel = true), address: esoRelease, message: 'devel is true' },
];

export const IMG_FIRING_CASES: CaseTable<FiringCase> = {
  'IMG-01': [
    { name: 'tag-only image', mutate: (j) => (containerOf(j, R.synapseDeployment).image = 'ghcr.io/element-hq/synapse:v1.159.0'), address: synapseContainer, message: 'must be pinned by digest' },
    { name: 'Docker Hub shorthand', mutate: (j) => (containerOf(j, R.postgresStatefulSet).image = `library/postgres@${SYNAPSE_IMAGE.split('@')[1] ?? ''}`), address: postgresContainer, message: 'must name its registry explicitly' },
    { name: 'uppercase digest', mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace(/sha256:([a-f0-9]+)/, (_match, hex: string) => `sha256:${hex.toUpperCase()}`)), address: synapseContainer, message: 'must have the form' },
    { name: 'image absent', mutate: (j) => delete containerOf(j, R.synapseDeployment).image, address: synapseContainer, message: 'image "" must be pinned by digest' },
    ...IMG_01_HELM_CASES,
  ],
  'IMG-02': [
    { name: 'registry not allowlisted', mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace('ghcr.io', 'registry.example.org')), address: synapseContainer, message: 'registry of "registry.example.org/element-hq/synapse' },
    {
      name: 'no explicit registry (standalone)',
      mutate: (j) => (containerOf(j, R.postgresStatefulSet).image = 'postgres:17'),
      context: STANDALONE_CONTEXT,
      address: postgresContainer,
      message: 'registry of "postgres:17" is not allowlisted',
    },
    ...IMG_02_HELM_CASES,
  ],
  'IMG-03': [
    { name: 'version "~> 2.0"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').version = '~> 2.0'), address: 'terraform.required_providers.kubernetes', message: 'version "~> 2.0" is not exact' },
    { name: 'version absent', mutate: (j) => delete child(requiredProviders(j), 'kubernetes').version, address: 'terraform.required_providers.kubernetes', message: 'version null is not exact' },
    { name: 'short source "kubernetes"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').source = 'kubernetes'), address: 'terraform.required_providers.kubernetes', message: 'source "kubernetes" is not a full host/namespace/name address' },
    { name: 'namespace/name source', mutate: (j) => (requiredProviders(j).helm = { source: 'hashicorp/helm', version: '2.17.0' }), address: 'terraform.required_providers.helm', message: 'source "hashicorp/helm" is not a full' },
    { name: 'bare version string', mutate: (j) => (requiredProviders(j).kubernetes = '2.38.0'), address: 'terraform.required_providers.kubernetes', message: 'not an object with source and version' },
    ...IMG_03_HELM_CASES,
  ],
};

export const IMG_NEAR_MISSES: CaseTable<NearMiss> = {
  'IMG-01': [
    { name: 'chart image as registry + repository + tag + digest keys', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values), { registry: 'ghcr.io', repository: 'external-secrets/external-secrets', tag: 'v2.10.0', digest: ESO_DIGEST })) },
    { name: 'chart image by digest without tag', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values), { tag: '', digest: ESO_DIGEST })) },
  ],
  'IMG-02': [
    { name: 'explicit registry without config', mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace('ghcr.io', 'quay.io')), context: STANDALONE_CONTEXT },
    { name: 'chart image registry given as a registry key', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values), { registry: 'quay.io', repository: 'external-secrets/external-secrets' })) },
    { name: 'chart image from any explicit registry without config', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).repository = 'registry.example.org/external-secrets/external-secrets')), context: STANDALONE_CONTEXT },
  ],
  'IMG-03': [
    { name: 'version "= 2.38.0"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').version = '= 2.38.0') },
    { name: 'chart version without the v prefix ("2.10.0", fixture) or with it', mutate: (j) => (body(j, R.externalSecretsRelease).version = 'v2.10.0') },
    { name: 'allowlisted repository with a trailing slash', mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'https://charts.external-secrets.io/') },
    { name: 'devel false explicitly (fixture) or absent', mutate: (j) => delete body(j, R.externalSecretsRelease).devel },
    {
      name: 'oci:// chart without repository (standalone)',
      mutate: (j) => {
        delete body(j, R.externalSecretsRelease).repository;
        body(j, R.externalSecretsRelease).chart = 'oci://ghcr.io/external-secrets/charts/external-secrets';
      },
      context: STANDALONE_CONTEXT,
    },
    { name: 'repository not allowlisted without config', mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'https://charts.example.org'), context: STANDALONE_CONTEXT },
  ],
};
