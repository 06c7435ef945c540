/** The case table of SEC-07 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { nested } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import {
  add,
  address,
  body,
  child,
  editHelmValues,
  manifestResource,
  manifestSpecOf,
  R,
  STANDALONE_CONTEXT,
  type Mutation,
  type ResourceRef,
} from '../../../test/policies/fixtures';
import type { JsonObject } from '../../../tfjson/terraform-json';

const openbaoNamespace = address(R.openbaoNamespace);

const sealKey = address(R.sealKey);

/** Removes `lifecycle.prevent_destroy` from a resource. */
function destroyable(resource: ResourceRef): Mutation {
  return (j) => void delete body(j, resource).lifecycle;
}

export const cases: RuleCases = {
  bad: [
    {
      name: 'the namespace holding the seal key can be destroyed',
      mutate: destroyable(R.openbaoNamespace),
      address: openbaoNamespace,
      message:
        'namespace "matrix-openbao" holds OpenBao\'s seal key (Secret openbao-seal-key) and its data: lifecycle.prevent_destroy is not set',
    },
    {
      name: 'the same, without a site config (seal key found through the OpenBao release)',
      mutate: destroyable(R.openbaoNamespace),
      address: openbaoNamespace,
      message: 'lifecycle.prevent_destroy is not set',
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'prevent_destroy false on the namespace',
      mutate: (j) => (body(j, R.openbaoNamespace).lifecycle = { prevent_destroy: false }),
      address: openbaoNamespace,
      message: 'prevent_destroy is not set',
    },
    {
      name: "the seal key's ExternalSecret can be destroyed",
      mutate: destroyable(R.sealKey),
      address: sealKey,
      message: "ExternalSecret creating OpenBao's seal key matrix-openbao/openbao-seal-key: lifecycle.prevent_destroy is not set",
    },
    {
      name: 'the same, without a site config',
      mutate: destroyable(R.sealKey),
      address: sealKey,
      message: "ExternalSecret creating OpenBao's seal key",
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'a seal key Secret written as a manifest, destroyable',
      mutate: (j) =>
        void add(
          j,
          { type: 'kubernetes_manifest', name: 'seal_manifest' },
          manifestResource(
            { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openbao-seal-key', namespace: 'matrix-openbao' }, type: 'Opaque' },
            false,
          ),
        ),
      address: 'kubernetes_manifest.seal_manifest',
      message: "Secret creating OpenBao's seal key matrix-openbao/openbao-seal-key",
    },
    {
      name: 'a seal key mounted from another Secret (found through the release), destroyable',
      mutate: (j) => {
        editHelmValues(j, R.openbaoRelease, (values) => {
          const volumes = nested(values, 'server').volumes as JsonObject[];
          const seal = volumes.find((volume) => volume.name === 'seal-key');
          if (seal) seal.secret = { secretName: 'other-seal', defaultMode: 256 };
        });
        const spec = manifestSpecOf(j, R.sealKey);
        child(spec, 'target').name = 'other-seal';
        delete body(j, R.sealKey).lifecycle;
      },
      address: sealKey,
      message: 'seal key matrix-openbao/other-seal',
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'External Secrets uninstalled with its CRDs (every ExternalSecret deleted with them)',
      mutate: (j) =>
        editHelmValues(
          j,
          R.externalSecretsRelease,
          (values) => delete (nested(values, 'crds').annotations as JsonObject)['helm.sh/resource-policy'],
        ),
      address: address(R.externalSecretsRelease),
      message: 'uninstalling External Secrets deletes its CRDs',
    },
  ],
  good: [
    {
      name: 'an ExternalSecret of another Secret in the OpenBao namespace, destroyable',
      mutate: (j) => void ((child(manifestSpecOf(j, R.sealKey), 'target').name = 'openbao-scratch'), delete body(j, R.sealKey).lifecycle),
    },
    {
      name: 'a seal key of the same name in another namespace, destroyable',
      mutate: (j) =>
        void (
          ((body(j, R.openbaoNamespace).metadata as JsonObject).name = 'matrix-scratch'),
          delete body(j, R.openbaoNamespace).lifecycle,
          // OpenBao's backup job stays beside OpenBao (BAK-06).
          ((body(j, R.secretStoreBackup).metadata as JsonObject).namespace = 'matrix-openbao')
        ),
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'prevent_destroy on a namespace that holds no seal key',
      mutate: (j) => (body(j, R.homeserverNamespace).lifecycle = { prevent_destroy: true }),
    },
    {
      name: 'External Secrets without CRDs of its own (installed by the site, not uninstalled with the release)',
      mutate: (j) =>
        editHelmValues(
          j,
          R.externalSecretsRelease,
          (values) =>
            void ((values.installCRDs = false), delete (nested(values, 'crds').annotations as JsonObject)['helm.sh/resource-policy']),
        ),
    },
  ],
};
