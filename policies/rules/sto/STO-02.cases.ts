/** The case table of STO-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { esoRelease, markSingleton, nested, postgres } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import {
  add,
  address,
  body,
  child,
  editHelmValues,
  manifestResource,
  R,
  specOf,
  STANDALONE_CONTEXT,
  STORAGE_CLASS,
  type Mutation,
} from '../../../test/policies/fixtures';
import type { JsonValue, TerraformJson } from '../../../tfjson/terraform-json';

const storageClass = address(R.storageClass);

const retention = (j: TerraformJson) => child(specOf(j, R.postgresStatefulSet), 'persistent_volume_claim_retention_policy');

const parameters = (j: TerraformJson) => child(body(j, R.storageClass), 'parameters');

/** Sets a storage class in the external-secrets values at `path` (a list of keys). */
function chartStorageClass(value: JsonValue, ...path: string[]): Mutation {
  return (j) =>
    editHelmValues(
      j,
      R.externalSecretsRelease,
      (values) => (nested(values, ...path.slice(0, -1))[path[path.length - 1] ?? 'storageClass'] = value),
    );
}

export const cases: RuleCases = {
  bad: [
    {
      name: 'retention policy absent',
      mutate: (j) => delete specOf(j, R.postgresStatefulSet).persistent_volume_claim_retention_policy,
      address: postgres,
      message: 'persistent_volume_claim_retention_policy.when_deleted is "(absent)", must be Retain explicitly',
    },
    {
      name: 'claims deleted with the stateful set',
      mutate: (j) => (retention(j).when_deleted = 'Delete'),
      address: postgres,
      message: 'when_deleted is "Delete"',
    },
    { name: 'when_scaled absent', mutate: (j) => delete retention(j).when_scaled, address: postgres, message: 'when_scaled is "(absent)"' },
    {
      name: 'storage class reclaim policy Delete',
      mutate: (j) => (body(j, R.storageClass).reclaim_policy = 'Delete'),
      address: storageClass,
      message: 'reclaim policy is "Delete", not Retain',
    },
    {
      name: 'storage class reclaim policy absent (Delete)',
      mutate: (j) => delete body(j, R.storageClass).reclaim_policy,
      address: storageClass,
      message: 'reclaim policy is "(absent = Delete)", not Retain',
    },
    {
      name: 'storage class without encryption parameters',
      mutate: (j) => delete parameters(j).encrypted,
      address: storageClass,
      message: 'storage class is not encrypted: no encryption parameter',
    },
    {
      name: 'storage class with encrypted "false" next to a KMS key',
      mutate: (j) => Object.assign(parameters(j), { encrypted: 'false', kmsKeyId: 'arn:aws:kms:eu-west-3:111122223333:key/example' }),
      address: storageClass,
      message: 'storage class is not encrypted: parameters.encrypted is "false"',
    },
    {
      name: 'StorageClass manifest deleting unencrypted volumes',
      mutate: (j) =>
        void add(
          j,
          { type: 'kubernetes_manifest', name: 'fast_manifest' },
          manifestResource(
            {
              apiVersion: 'storage.k8s.io/v1',
              kind: 'StorageClass',
              metadata: { name: 'fast' },
              provisioner: 'ebs.csi.aws.com',
              parameters: { type: 'io2' },
            },
            false,
          ),
        ),
      address: 'kubernetes_manifest.fast_manifest',
      message: 'reclaim policy is "(absent = Delete)"',
    },
    {
      name: 'chart storage class not allowlisted',
      mutate: chartStorageClass('standard', 'persistence', 'storageClass'),
      address: `${esoRelease} values.persistence.storageClass`,
      message: 'storage class "standard" is not in storage.allowedStorageClasses',
    },
    {
      name: 'chart storage class empty (cluster default)',
      mutate: chartStorageClass('', 'persistence', 'storageClass'),
      context: STANDALONE_CONTEXT,
      address: `${esoRelease} values.persistence.storageClass`,
      message: 'storage class "" leaves the choice to the cluster',
    },
    {
      name: 'chart storage class "-" (no class)',
      mutate: chartStorageClass('-', 'global', 'storageClass'),
      address: `${esoRelease} values.global.storageClass`,
      message: 'storage class "-" leaves the choice to the cluster',
    },
    {
      name: 'storageClassName in a list of claim templates',
      mutate: (j) =>
        editHelmValues(
          j,
          R.externalSecretsRelease,
          (values) => (values.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { storageClassName: 'standard' } }]),
        ),
      address: `${esoRelease} values.volumeClaimTemplates[0].spec.storageClassName`,
      message: 'storage class "standard" is not in storage.allowedStorageClasses',
    },
    {
      name: 'chart values unreadable',
      mutate: (j) => (body(j, R.externalSecretsRelease).values = ['persistence: [unclosed\n']),
      address: esoRelease,
      message: 'storage classes cannot be audited: values[0] is not valid YAML',
    },
  ],
  good: [
    { name: 'chart storage class allowlisted', mutate: chartStorageClass(STORAGE_CLASS, 'persistence', 'storageClass') },
    {
      name: 'any named chart storage class without config',
      mutate: chartStorageClass('encrypted-fast', 'persistence', 'storageClass'),
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'storage class encrypted by a KMS key only',
      mutate: (j) => (body(j, R.storageClass).parameters = { kmsKeyId: 'arn:aws:kms:eu-west-3:111122223333:key/example', type: 'gp3' }),
    },
    {
      name: 'storage class with an Azure disk encryption set',
      mutate: (j) =>
        (body(j, R.storageClass).parameters = {
          diskEncryptionSetID: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/diskEncryptionSets/z',
          skuName: 'Premium_LRS',
        }),
    },
    { name: 'encrypted written as "True"', mutate: (j) => (parameters(j).encrypted = 'True') },
    {
      name: 'stateful set without claim templates (no retention policy needed)',
      mutate: (j) => {
        delete specOf(j, R.openldapStatefulSet).volume_claim_template;
        delete specOf(j, R.openldapStatefulSet).persistent_volume_claim_retention_policy;
        // Stateless now: one replica needs its reason (POD-10).
        markSingleton(j, R.openldapStatefulSet);
      },
    },
  ],
};
