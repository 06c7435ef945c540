/** RES rules (resources): mutations of the compliant fixture that must fire, and near misses that must not. */
import { address, child, containerOf, GATEWAY_NAMESPACE, HOMESERVER_NAMESPACE, metadataBlock, R, remove } from '../fixtures';
import { hsNamespace, postgresContainer, synapseContainer } from './helpers';
import type { CaseTable, FiringCase, NearMiss } from './types';

export const RES_FIRING_CASES: CaseTable<FiringCase> = {
  'RES-01': [
    { name: 'limits.memory absent', mutate: (j) => delete child(containerOf(j, R.synapseDeployment), 'resources', 'limits').memory, address: synapseContainer, message: 'missing limits.memory' },
    { name: 'requests.cpu empty', mutate: (j) => (child(containerOf(j, R.postgresStatefulSet), 'resources', 'requests').cpu = ''), address: postgresContainer, message: 'missing requests.cpu' },
    { name: 'resources absent', mutate: (j) => delete containerOf(j, R.synapseDeployment).resources, address: synapseContainer, message: 'missing requests.cpu, requests.memory, limits.cpu, limits.memory' },
  ],
  'RES-02': [
    { name: 'namespace without quota', mutate: (j) => remove(j, R.homeserverQuota), address: hsNamespace, message: `namespace "${HOMESERVER_NAMESPACE}" has no ResourceQuota` },
    { name: 'namespace without limit range', mutate: (j) => remove(j, R.gatewayLimits), address: address(R.gatewayNamespace), message: `namespace "${GATEWAY_NAMESPACE}" has no LimitRange` },
    { name: 'quota in another namespace', mutate: (j) => (metadataBlock(j, R.homeserverQuota).namespace = GATEWAY_NAMESPACE), address: hsNamespace, message: 'has no ResourceQuota' },
  ],
};

export const RES_NEAR_MISSES: CaseTable<NearMiss> = {

};
