/** The case table of SEC-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { esSpec, externalSecret, makeGeneratedOnce, pushSecret, pushSpec } from '../../../test/policies/case-helpers/sec';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, manifestSpecOf, R } from '../../../test/policies/fixtures';
import { type JsonObject, type TerraformJson } from '../../../tfjson/terraform-json';

const certificate = address(R.synapseCertificate);

function certSpec(json: TerraformJson): JsonObject {
  return manifestSpecOf(json, R.synapseCertificate);
}

export const cases: RuleCases = {
  bad: [
    {
      name: 'ExternalSecret refreshPolicy absent',
      mutate: (j) => delete esSpec(j).refreshPolicy,
      address: externalSecret,
      message: 'refreshPolicy is absent',
    },
    {
      name: 'ExternalSecret refreshPolicy OnChange',
      mutate: (j) => (esSpec(j).refreshPolicy = 'OnChange'),
      address: externalSecret,
      message: 'refreshPolicy "OnChange" is not allowed',
    },
    {
      name: 'Periodic without refreshInterval',
      mutate: (j) => delete esSpec(j).refreshInterval,
      address: externalSecret,
      message: 'refreshInterval is absent',
    },
    {
      name: 'Periodic with refreshInterval 0s',
      mutate: (j) => (esSpec(j).refreshInterval = '0s'),
      address: externalSecret,
      message: 'refreshInterval "0s" never refreshes',
    },
    {
      name: 'Periodic with refreshInterval 25h',
      mutate: (j) => (esSpec(j).refreshInterval = '25h'),
      address: externalSecret,
      message: 'refreshInterval "25h" is longer than 24h',
    },
    {
      name: 'Periodic with refreshInterval 1d (no day unit in Go)',
      mutate: (j) => (esSpec(j).refreshInterval = '1d'),
      address: externalSecret,
      message: 'refreshInterval "1d" is not a Go duration',
    },
    {
      name: 'CreatedOnce for data read from the store',
      mutate: (j) => {
        esSpec(j).refreshPolicy = 'CreatedOnce';
        child(esSpec(j), 'target').immutable = true;
      },
      address: externalSecret,
      message: 'refreshPolicy CreatedOnce is allowed only for generated data',
    },
    {
      name: 'CreatedOnce generated but mutable',
      mutate: (j) => delete child(makeGeneratedOnce(j), 'target').immutable,
      address: externalSecret,
      message: 'refreshPolicy CreatedOnce requires target.immutable: true',
    },
    {
      name: 'PushSecret refreshInterval absent',
      mutate: (j) => delete pushSpec(j).refreshInterval,
      address: pushSecret,
      message: 'refreshInterval is absent',
    },
    {
      name: 'PushSecret refreshInterval 0s',
      mutate: (j) => (pushSpec(j).refreshInterval = '0s'),
      address: pushSecret,
      message: 'refreshInterval "0s" never refreshes',
    },
    {
      name: 'PushSecret refreshInterval 48h',
      mutate: (j) => (pushSpec(j).refreshInterval = '48h'),
      address: pushSecret,
      message: 'refreshInterval "48h" is longer than 24h',
    },
    {
      name: 'PushSecret refreshInterval "weekly"',
      mutate: (j) => (pushSpec(j).refreshInterval = 'weekly'),
      address: pushSecret,
      message: 'refreshInterval "weekly" is not a Go duration',
    },
    {
      name: 'Certificate duration absent',
      mutate: (j) => delete certSpec(j).duration,
      address: certificate,
      message: 'duration "(absent)" is not an explicit positive Go duration',
    },
    {
      name: 'Certificate duration 90d',
      mutate: (j) => (certSpec(j).duration = '90d'),
      address: certificate,
      message: 'duration "90d" is not an explicit positive Go duration',
    },
    {
      name: 'Certificate renewBefore absent',
      mutate: (j) => delete certSpec(j).renewBefore,
      address: certificate,
      message: 'renewBefore "(absent)" is not an explicit',
    },
    {
      name: 'Certificate renewBefore equal to duration',
      mutate: (j) => (certSpec(j).renewBefore = '2160h'),
      address: certificate,
      message: 'renewBefore 2160h is not shorter than duration 2160h',
    },
    {
      name: 'Certificate rotationPolicy absent',
      mutate: (j) => delete child(certSpec(j), 'privateKey').rotationPolicy,
      address: certificate,
      message: 'privateKey.rotationPolicy is absent',
    },
    {
      name: 'leaf Certificate rotationPolicy Never',
      mutate: (j) => (child(certSpec(j), 'privateKey').rotationPolicy = 'Never'),
      address: certificate,
      message: 'privateKey.rotationPolicy "Never" is not allowed for a leaf certificate',
    },
    {
      name: 'leaf Certificate longer than 397 days',
      mutate: (j) => (certSpec(j).duration = '9529h'),
      address: certificate,
      message: 'duration 9529h is longer than 397 days',
    },
    {
      name: 'CA Certificate with an unknown rotationPolicy',
      mutate: (j) => Object.assign(certSpec(j), { isCA: true, privateKey: { algorithm: 'ECDSA', rotationPolicy: 'Sometimes' } }),
      address: certificate,
      message: 'privateKey.rotationPolicy "Sometimes" is not allowed',
    },
  ],
  good: [
    { name: 'Periodic refreshInterval 24h', mutate: (j) => (esSpec(j).refreshInterval = '24h') },
    { name: 'Periodic refreshInterval 1h30m', mutate: (j) => (esSpec(j).refreshInterval = '1h30m') },
    { name: 'CreatedOnce for generated, immutable data', mutate: (j) => void makeGeneratedOnce(j) },
    { name: 'PushSecret refreshInterval 24h', mutate: (j) => (pushSpec(j).refreshInterval = '24h') },
    { name: 'leaf Certificate of exactly 397 days', mutate: (j) => (certSpec(j).duration = '9528h') },
    {
      name: 'CA Certificate keeping its key (Never), 10 years',
      mutate: (j) =>
        Object.assign(certSpec(j), {
          isCA: true,
          duration: '87600h',
          renewBefore: '17520h',
          privateKey: { algorithm: 'ECDSA', encoding: 'PKCS8', rotationPolicy: 'Never', size: 384 },
        }),
    },
  ],
};
