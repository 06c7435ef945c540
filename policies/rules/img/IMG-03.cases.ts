/** The case table of IMG-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { esoRelease } from '../../../test/policies/case-helpers/common';
import type { BadCase, RuleCases } from '../../../test/policies/case-table';
import { body, child, R, requiredProviders, STANDALONE_CONTEXT } from '../../../test/policies/fixtures';

const IMG_03_HELM_CASES: BadCase[] = [
  {
    name: 'chart version range',
    mutate: (j) => (body(j, R.externalSecretsRelease).version = '~2.10'),
    address: esoRelease,
    message: 'chart version "~2.10" is not an exact version',
  },
  {
    name: 'chart version absent',
    mutate: (j) => delete body(j, R.externalSecretsRelease).version,
    address: esoRelease,
    message: 'chart version null is not an exact version',
  },
  {
    name: 'chart version with two parts',
    mutate: (j) => (body(j, R.externalSecretsRelease).version = '2.10'),
    address: esoRelease,
    message: 'chart version "2.10" is not an exact version',
  },
  {
    name: 'chart version "latest"',
    mutate: (j) => (body(j, R.externalSecretsRelease).version = 'latest'),
    address: esoRelease,
    message: 'chart version "latest"',
  },
  {
    name: 'http:// repository',
    mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'http://charts.external-secrets.io'),
    address: esoRelease,
    message: 'repository "http://charts.external-secrets.io" is not an https:// or oci:// URL',
  },
  {
    name: 'no repository, chart by name',
    mutate: (j) => delete body(j, R.externalSecretsRelease).repository,
    address: esoRelease,
    message: 'chart "external-secrets" has no repository and is not an oci:// reference',
  },
  {
    name: 'no repository, local chart path',
    mutate: (j) => {
      delete body(j, R.externalSecretsRelease).repository;
      body(j, R.externalSecretsRelease).chart = './charts/external-secrets';
    },
    address: esoRelease,
    message: 'chart "./charts/external-secrets" has no repository',
  },
  {
    name: 'repository not allowlisted',
    mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'https://charts.example.org'),
    address: esoRelease,
    message: 'repository "https://charts.example.org" is not in platform.charts.allowedRepositories',
  },
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

export const cases: RuleCases = {
  bad: [
    {
      name: 'version "~> 2.0"',
      mutate: (j) => (child(requiredProviders(j), 'kubernetes').version = '~> 2.0'),
      address: 'terraform.required_providers.kubernetes',
      message: 'version "~> 2.0" is not exact',
    },
    {
      name: 'version absent',
      mutate: (j) => delete child(requiredProviders(j), 'kubernetes').version,
      address: 'terraform.required_providers.kubernetes',
      message: 'version null is not exact',
    },
    {
      name: 'short source "kubernetes"',
      mutate: (j) => (child(requiredProviders(j), 'kubernetes').source = 'kubernetes'),
      address: 'terraform.required_providers.kubernetes',
      message: 'source "kubernetes" is not a full host/namespace/name address',
    },
    {
      name: 'namespace/name source',
      mutate: (j) => (requiredProviders(j).helm = { source: 'hashicorp/helm', version: '2.17.0' }),
      address: 'terraform.required_providers.helm',
      message: 'source "hashicorp/helm" is not a full',
    },
    {
      name: 'bare version string',
      mutate: (j) => (requiredProviders(j).kubernetes = '2.38.0'),
      address: 'terraform.required_providers.kubernetes',
      message: 'not an object with source and version',
    },
    ...IMG_03_HELM_CASES,
  ],
  good: [
    { name: 'version "= 2.38.0"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').version = '= 2.38.0') },
    {
      name: 'chart version without the v prefix ("2.10.0", fixture) or with it',
      mutate: (j) => (body(j, R.externalSecretsRelease).version = 'v2.10.0'),
    },
    {
      name: 'allowlisted repository with a trailing slash',
      mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'https://charts.external-secrets.io/'),
    },
    { name: 'devel false explicitly (fixture) or absent', mutate: (j) => delete body(j, R.externalSecretsRelease).devel },
    {
      name: 'oci:// chart without repository (standalone)',
      mutate: (j) => {
        delete body(j, R.externalSecretsRelease).repository;
        body(j, R.externalSecretsRelease).chart = 'oci://ghcr.io/external-secrets/charts/external-secrets';
      },
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'repository not allowlisted without config',
      mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'https://charts.example.org'),
      context: STANDALONE_CONTEXT,
    },
  ],
};
