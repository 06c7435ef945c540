/** POD rules (pod security): mutations of the compliant fixture that must fire, and near misses that must not. */
import { address, child, containerAddress, containerOf, copy, metadataBlock, podSecurityContextOf, podSpecOf, R, securityContextOf, volumeList, volumeOf } from '../fixtures';
import { hsNamespace, postgres, postgresContainer, setLabel, synapse, synapseContainer } from './helpers';
import type { CaseTable, FiringCase, NearMiss } from './types';

export const POD_FIRING_CASES: CaseTable<FiringCase> = {
  'POD-01': [
    { name: 'enforce=baseline', mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/enforce', 'baseline'), address: hsNamespace, message: 'enforce=baseline' },
    { name: 'enforce-version "latest"', mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/enforce-version', 'latest'), address: hsNamespace, message: 'enforce-version=latest (must be pinned)' },
    { name: 'audit label absent', mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/audit', undefined), address: hsNamespace, message: 'audit=(absent)' },
    { name: 'warn-version absent', mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/warn-version', undefined), address: hsNamespace, message: 'warn-version=(absent)' },
    { name: 'no labels at all', mutate: (j) => delete metadataBlock(j, R.gatewayNamespace).labels, address: address(R.gatewayNamespace), message: /enforce=\(absent\).*audit=\(absent\).*warn=\(absent\)/ },
  ],
  'POD-02': [
    { name: 'pod run_as_non_root false', mutate: (j) => (podSecurityContextOf(j, R.synapseDeployment).run_as_non_root = false), address: synapse, message: 'pod security_context.run_as_non_root is not true' },
    { name: 'pod run_as_user 0', mutate: (j) => (podSecurityContextOf(j, R.synapseDeployment).run_as_user = '0'), address: synapse, message: 'explicit non-zero run_as_user and run_as_group' },
    { name: 'pod run_as_group absent', mutate: (j) => delete podSecurityContextOf(j, R.postgresStatefulSet).run_as_group, address: postgres, message: 'explicit non-zero run_as_user and run_as_group' },
    { name: 'pod security_context absent', mutate: (j) => delete podSpecOf(j, R.postgresStatefulSet).security_context, address: postgres, message: 'run_as_non_root is not true' },
    { name: 'container run_as_non_root false', mutate: (j) => (securityContextOf(j, R.synapseDeployment).run_as_non_root = false), address: synapseContainer, message: 'run_as_non_root is false' },
    { name: 'container run_as_user 0', mutate: (j) => (securityContextOf(j, R.postgresStatefulSet).run_as_user = 0), address: postgresContainer, message: 'run_as_user must be non-zero' },
  ],
  'POD-03': [
    { name: 'allow_privilege_escalation absent', mutate: (j) => delete securityContextOf(j, R.synapseDeployment).allow_privilege_escalation, address: synapseContainer, message: 'allow_privilege_escalation is not explicitly false' },
    { name: 'allow_privilege_escalation true', mutate: (j) => (securityContextOf(j, R.postgresStatefulSet).allow_privilege_escalation = true), address: postgresContainer, message: 'allow_privilege_escalation is not explicitly false' },
    {
      name: 'init container without the flag',
      mutate: (j) => {
        const init = copy(containerOf(j, R.synapseDeployment));
        init.name = 'migrate';
        delete child(init, 'security_context').allow_privilege_escalation;
        podSpecOf(j, R.synapseDeployment).init_container = [init];
      },
      address: containerAddress(R.synapseDeployment, 'migrate'),
      message: 'allow_privilege_escalation is not explicitly false',
    },
  ],
  'POD-04': [
    { name: 'drop without ALL', mutate: (j) => (child(securityContextOf(j, R.synapseDeployment), 'capabilities').drop = ['NET_RAW']), address: synapseContainer, message: 'capabilities.drop does not contain "ALL"' },
    { name: 'capabilities absent', mutate: (j) => delete securityContextOf(j, R.postgresStatefulSet).capabilities, address: postgresContainer, message: 'capabilities.drop does not contain "ALL"' },
    { name: 'add NET_ADMIN', mutate: (j) => (child(securityContextOf(j, R.synapseDeployment), 'capabilities').add = ['NET_ADMIN']), address: synapseContainer, message: 'capabilities.add is not empty (NET_ADMIN)' },
  ],
  'POD-05': [
    { name: 'pod seccomp Unconfined', mutate: (j) => (child(podSecurityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Unconfined'), address: synapse, message: 'pod seccomp_profile.type is "Unconfined"' },
    { name: 'pod seccomp absent', mutate: (j) => delete podSecurityContextOf(j, R.postgresStatefulSet).seccomp_profile, address: postgres, message: 'pod seccomp_profile.type is null' },
    { name: 'container seccomp Unconfined', mutate: (j) => (child(securityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Unconfined'), address: synapseContainer, message: 'seccomp_profile.type is "Unconfined"' },
  ],
  'POD-06': [
    { name: 'host_network true', mutate: (j) => (podSpecOf(j, R.synapseDeployment).host_network = true), address: synapse, message: 'host_network is not explicitly false' },
    { name: 'host_pid absent', mutate: (j) => delete podSpecOf(j, R.postgresStatefulSet).host_pid, address: postgres, message: 'host_pid is not explicitly false' },
    { name: 'host_ipc true', mutate: (j) => (podSpecOf(j, R.synapseDeployment).host_ipc = true), address: synapse, message: 'host_ipc is not explicitly false' },
    { name: 'privileged true', mutate: (j) => (securityContextOf(j, R.synapseDeployment).privileged = true), address: synapseContainer, message: 'privileged is true' },
    { name: 'host_port set', mutate: (j) => (child(containerOf(j, R.postgresStatefulSet), 'port').host_port = 5432), address: postgresContainer, message: 'host_port 5432 is set' },
  ],
  'POD-07': [
    { name: 'host_path volume', mutate: (j) => volumeList(j, R.synapseDeployment).push({ host_path: { path: '/var/run' }, name: 'host' }), address: `${synapse} volume "host"`, message: 'volume type host_path is not allowed' },
    { name: 'nfs volume', mutate: (j) => volumeList(j, R.postgresStatefulSet).push({ name: 'share', nfs: [{ path: '/export', server: 'nas' }] }), address: `${postgres} volume "share"`, message: 'volume type nfs is not allowed' },
  ],
  'POD-08': [
    { name: 'read_only_root_filesystem false', mutate: (j) => (securityContextOf(j, R.synapseDeployment).read_only_root_filesystem = false), address: synapseContainer, message: 'read_only_root_filesystem is not true' },
    { name: 'read_only_root_filesystem absent', mutate: (j) => delete securityContextOf(j, R.postgresStatefulSet).read_only_root_filesystem, address: postgresContainer, message: 'read_only_root_filesystem is not true' },
    { name: 'emptyDir without size_limit', mutate: (j) => delete child(volumeOf(j, R.synapseDeployment, 'tmp'), 'empty_dir').size_limit, address: `${synapse} volume "tmp"`, message: 'emptyDir has no size_limit' },
    { name: 'emptyDir with a malformed size_limit', mutate: (j) => (child(volumeOf(j, R.postgresStatefulSet, 'run'), 'empty_dir').size_limit = 'lots'), address: `${postgres} volume "run"`, message: 'emptyDir has no size_limit' },
  ],
  'POD-09': [
    { name: 'deployment without namespace', mutate: (j) => delete metadataBlock(j, R.synapseDeployment).namespace, address: synapse, message: 'namespace is "(absent = default)"' },
    { name: 'service in "default"', mutate: (j) => (metadataBlock(j, R.synapseService).namespace = 'default'), address: address(R.synapseService), message: 'namespace is "default"' },
    { name: 'service account with empty namespace', mutate: (j) => (metadataBlock(j, R.postgresAccount).namespace = ''), address: address(R.postgresAccount), message: 'namespace is ""' },
  ],
};

export const POD_NEAR_MISSES: CaseTable<NearMiss> = {
  'POD-05': [{ name: 'Localhost seccomp profile', mutate: (j) => (child(podSecurityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Localhost') }],
  'POD-06': [{ name: 'host_port 0', mutate: (j) => (child(containerOf(j, R.synapseDeployment), 'port').host_port = 0) }],
};
