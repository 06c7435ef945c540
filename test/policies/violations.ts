/**
 * The violation table: for every rule, mutations of the compliant fixture that must make it fire
 * (one per condition it checks), and near misses that must not.
 */
import type { AuditContext } from '../../policies/rule';
import { blocks, type TerraformJson } from '../../policies/terraform-json';
import {
  add,
  address,
  body,
  child,
  claimVolume,
  containerAddress,
  containerOf,
  copy,
  emptyDirVolume,
  GATEWAY_NAMESPACE,
  HOMESERVER_NAMESPACE,
  ipBlockOf,
  labelsOf,
  metadataBlock,
  podSecurityContextOf,
  podSpecOf,
  R,
  remove,
  requiredProviders,
  ruleOf,
  securityContextOf,
  specOf,
  STANDALONE_CONTEXT,
  SYNAPSE_IMAGE,
  volumeList,
  volumeOf,
  type Mutation,
  type ResourceRef,
} from './fixtures';

export interface FiringCase {
  readonly name: string;
  readonly mutate: Mutation;
  /** Substring of the violation address (names the offending resource). */
  readonly address: string;
  /** Substring of, or pattern for, the violation message. */
  readonly message: string | RegExp;
  /** Defaults to CONFIG_CONTEXT. */
  readonly context?: AuditContext;
}

export interface NearMiss {
  readonly name: string;
  readonly mutate: Mutation;
  readonly context?: AuditContext;
}

const hsNamespace = address(R.homeserverNamespace);
const synapse = address(R.synapseDeployment);
const postgres = address(R.postgresStatefulSet);
const synapseContainer = containerAddress(R.synapseDeployment, 'synapse');
const postgresContainer = containerAddress(R.postgresStatefulSet, 'postgres');

function setLabel(json: TerraformJson, resource: ResourceRef, key: string, value: string | undefined): void {
  const labels = labelsOf(json, resource);
  if (value === undefined) delete labels[key];
  else labels[key] = value;
}

/** A second Synapse-like deployment named `name` in `namespace` mounting `claim`. */
function addClaimUser(json: TerraformJson, name: string, namespace: ResourceRef, claim: string): ResourceRef {
  const clone = copy(body(json, R.synapseDeployment));
  child(clone, 'metadata').name = name;
  child(clone, 'metadata').namespace = `\${${address(namespace)}.metadata[0].name}`;
  child(clone, 'spec', 'template', 'spec').volume = [emptyDirVolume('tmp', '512Mi'), claimVolume('media', claim)];
  return add(json, { type: 'kubernetes_deployment_v1', name: `${name}_workload` }, clone);
}

export const FIRING_CASES: Readonly<Record<string, readonly FiringCase[]>> = {
  // ---------------------------------------------------------------- POD
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

  // ---------------------------------------------------------------- NET
  'NET-01': [
    { name: 'default deny removed', mutate: (j) => remove(j, R.homeserverDefaultDeny), address: `namespace "${HOMESERVER_NAMESPACE}"`, message: 'no default-deny policy for both ingress and egress' },
    { name: 'default deny covers ingress only', mutate: (j) => (specOf(j, R.gatewayDefaultDeny).policy_types = ['Ingress']), address: `namespace "${GATEWAY_NAMESPACE}"`, message: 'no default-deny policy' },
    { name: 'default deny selects some pods only', mutate: (j) => (specOf(j, R.homeserverDefaultDeny).pod_selector = { match_labels: { 'matrix.sovereign/workload': 'synapse' } }), address: `namespace "${HOMESERVER_NAMESPACE}"`, message: 'no default-deny policy' },
    { name: 'default deny has an allow rule', mutate: (j) => (specOf(j, R.homeserverDefaultDeny).egress = [copy(ruleOf(j, R.homeserverDns, 'egress'))]), address: `namespace "${HOMESERVER_NAMESPACE}"`, message: 'no default-deny policy' },
  ],
  'NET-02': [
    { name: 'DNS baseline removed', mutate: (j) => remove(j, R.gatewayDns), address: `namespace "${GATEWAY_NAMESPACE}"`, message: 'no DNS-only baseline egress policy' },
    { name: 'namespace-wide egress on port 443', mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ port: '443', protocol: 'TCP' }]), address: address(R.homeserverDns), message: 'namespace-wide egress rule other than DNS to selected resolver pods' },
    { name: 'namespace-wide DNS to an address block', mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').to = [{ ip_block: { cidr: '10.96.0.10/32', except: [] } }]), address: address(R.homeserverDns), message: 'namespace-wide egress rule other than DNS' },
    {
      name: 'namespace-wide port range starting at 53',
      mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ end_port: 65535, port: '53', protocol: 'TCP' }]),
      address: address(R.homeserverDns),
      message: 'namespace-wide egress rule other than DNS',
    },
    { name: 'namespace-wide DNS without ports', mutate: (j) => delete ruleOf(j, R.homeserverDns, 'egress').ports, address: address(R.homeserverDns), message: 'namespace-wide egress rule other than DNS' },
    { name: 'namespace-wide ingress allow', mutate: (j) => (specOf(j, R.gatewayDns).ingress = [copy(ruleOf(j, R.synapseIngress, 'ingress'))]), address: address(R.gatewayDns), message: 'namespace-wide ingress allow rule' },
  ],
  'NET-03': [
    { name: 'empty namespace selector', mutate: (j) => (child(ruleOf(j, R.synapseIngress, 'ingress'), 'from', 'namespace_selector').match_labels = {}), address: address(R.synapseIngress), message: 'ingress: peer without a namespace selector label' },
    { name: 'pod selector absent', mutate: (j) => delete child(ruleOf(j, R.synapseIngress, 'ingress'), 'from').pod_selector, address: address(R.synapseIngress), message: 'ingress: peer without a pod selector label' },
    { name: 'egress peer with empty selectors', mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').to = [{ namespace_selector: { match_labels: {} }, pod_selector: { match_labels: {} } }]), address: address(R.homeserverDns), message: 'egress: peer without a namespace selector label' },
    { name: 'ingress rule without peers', mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').from = []), address: address(R.synapseIngress), message: 'ingress rule without peers allows every source/destination' },
    { name: '0.0.0.0/0 ingress outside the gateway', mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').from = [{ ip_block: { cidr: '0.0.0.0/0', except: [] } }]), address: address(R.synapseIngress), message: 'ingress from 0.0.0.0/0 outside the gateway compartment' },
    { name: 'gateway namespace loses its compartment label', mutate: (j) => setLabel(j, R.gatewayNamespace, 'matrix.sovereign/compartment', undefined), address: address(R.haproxyIngress), message: 'ingress from 0.0.0.0/0 outside the gateway compartment' },
    { name: '0.0.0.0/0 egress without except', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = []), address: address(R.synapseFederation), message: 'egress to 0.0.0.0/0 without excluded ranges' },
    { name: '::/0 egress with except absent', mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '::/0' } }]), address: address(R.synapseFederation), message: 'egress to ::/0 without excluded ranges' },
  ],
  'NET-06': [
    { name: 'LoadBalancer outside the gateway', mutate: (j) => (specOf(j, R.synapseService).type = 'LoadBalancer'), address: address(R.synapseService), message: 'type LoadBalancer in compartment homeserver' },
    { name: 'NodePort outside the gateway', mutate: (j) => (specOf(j, R.synapseService).type = 'NodePort'), address: address(R.synapseService), message: 'type NodePort in compartment homeserver' },
    { name: 'ExternalName even in the gateway', mutate: (j) => (specOf(j, R.haproxyService).type = 'ExternalName'), address: address(R.haproxyService), message: 'type ExternalName in compartment gateway' },
    { name: 'LoadBalancer in a namespace without compartment label', mutate: (j) => setLabel(j, R.gatewayNamespace, 'matrix.sovereign/compartment', undefined), address: address(R.haproxyService), message: 'type LoadBalancer in compartment (unknown)' },
    { name: 'external_ips on a ClusterIP service', mutate: (j) => (specOf(j, R.synapseService).external_ips = ['203.0.113.10']), address: address(R.synapseService), message: 'external_ips set' },
  ],
  'NET-07': [
    {
      name: 'metadata endpoint not excluded (standalone)',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['10.0.0.0/8']),
      context: STANDALONE_CONTEXT,
      address: address(R.synapseFederation),
      message: 'egress to 0.0.0.0/0 does not exclude 169.254.169.254/32',
    },
    {
      name: 'IPv6 metadata endpoint not excluded (standalone)',
      mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '::/0', except: ['2001:db8::/32'] } }]),
      context: STANDALONE_CONTEXT,
      address: address(R.synapseFederation),
      message: 'egress to ::/0 does not exclude fd00:ec2::254/128',
    },
    {
      name: 'pod CIDR not excluded (config)',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32', '10.96.0.0/12', '192.168.0.0/16']),
      address: address(R.synapseFederation),
      message: /does not exclude 10\.244\.0\.0\/16$/,
    },
    {
      name: 'internal range containing cluster ranges (config)',
      mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '10.0.0.0/8', except: [] } }]),
      address: address(R.synapseFederation),
      message: 'egress to 10.0.0.0/8 does not exclude 10.244.0.0/16, 10.96.0.0/12',
    },
    { name: 'invalid CIDR', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').cidr = '0.0.0.0/33'), address: address(R.synapseFederation), message: 'invalid CIDR 0.0.0.0/33' },
  ],

  // ---------------------------------------------------------------- RBAC
  'RBAC-01': [
    { name: 'service_account_name absent', mutate: (j) => delete podSpecOf(j, R.synapseDeployment).service_account_name, address: synapse, message: 'service_account_name is "(absent = default)"' },
    { name: 'service_account_name "default"', mutate: (j) => (podSpecOf(j, R.postgresStatefulSet).service_account_name = 'default'), address: postgres, message: 'service_account_name is "default"' },
    { name: 'service_account_name empty', mutate: (j) => (podSpecOf(j, R.synapseDeployment).service_account_name = ''), address: synapse, message: 'service_account_name is ""' },
  ],
  'RBAC-02': [
    { name: 'pod automount absent', mutate: (j) => delete podSpecOf(j, R.synapseDeployment).automount_service_account_token, address: synapse, message: 'pod automount_service_account_token is not false' },
    { name: 'pod automount true', mutate: (j) => (podSpecOf(j, R.postgresStatefulSet).automount_service_account_token = true), address: postgres, message: 'pod automount_service_account_token is not false' },
    { name: 'service account automount absent', mutate: (j) => delete body(j, R.synapseAccount).automount_service_account_token, address: address(R.synapseAccount), message: 'automount_service_account_token is not false' },
    { name: 'default service account automount true', mutate: (j) => (body(j, R.gatewayDefaultAccount).automount_service_account_token = true), address: address(R.gatewayDefaultAccount), message: 'automount_service_account_token is not false' },
    {
      name: 'default service account not managed',
      mutate: (j) => remove(j, R.homeserverDefaultAccount),
      address: hsNamespace,
      message: `the default service account of "${HOMESERVER_NAMESPACE}" is not managed with automount false`,
    },
  ],

  // ---------------------------------------------------------------- IMG
  'IMG-01': [
    { name: 'tag-only image', mutate: (j) => (containerOf(j, R.synapseDeployment).image = 'ghcr.io/element-hq/synapse:v1.159.0'), address: synapseContainer, message: 'must be pinned by digest' },
    { name: 'Docker Hub shorthand', mutate: (j) => (containerOf(j, R.postgresStatefulSet).image = `library/postgres@${SYNAPSE_IMAGE.split('@')[1] ?? ''}`), address: postgresContainer, message: 'must name its registry explicitly' },
    { name: 'uppercase digest', mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace(/sha256:([a-f0-9]+)/, (_match, hex: string) => `sha256:${hex.toUpperCase()}`)), address: synapseContainer, message: 'must have the form' },
    { name: 'image absent', mutate: (j) => delete containerOf(j, R.synapseDeployment).image, address: synapseContainer, message: 'image "" must be pinned by digest' },
  ],
  'IMG-02': [
    { name: 'registry not allowlisted', mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace('ghcr.io', 'quay.io')), address: synapseContainer, message: 'registry of "quay.io/element-hq/synapse' },
    {
      name: 'no explicit registry (standalone)',
      mutate: (j) => (containerOf(j, R.postgresStatefulSet).image = 'postgres:17'),
      context: STANDALONE_CONTEXT,
      address: postgresContainer,
      message: 'registry of "postgres:17" is not allowlisted',
    },
  ],
  'IMG-03': [
    { name: 'version "~> 2.0"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').version = '~> 2.0'), address: 'terraform.required_providers.kubernetes', message: 'version "~> 2.0" is not exact' },
    { name: 'version absent', mutate: (j) => delete child(requiredProviders(j), 'kubernetes').version, address: 'terraform.required_providers.kubernetes', message: 'version null is not exact' },
    { name: 'short source "kubernetes"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').source = 'kubernetes'), address: 'terraform.required_providers.kubernetes', message: 'source "kubernetes" is not a full host/namespace/name address' },
    { name: 'namespace/name source', mutate: (j) => (requiredProviders(j).helm = { source: 'hashicorp/helm', version: '2.17.0' }), address: 'terraform.required_providers.helm', message: 'source "hashicorp/helm" is not a full' },
    { name: 'bare version string', mutate: (j) => (requiredProviders(j).kubernetes = '2.38.0'), address: 'terraform.required_providers.kubernetes', message: 'not an object with source and version' },
  ],

  'NET-04': [
    {
      name: 'directory reachable from the gateway',
      mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'directory'),
      address: address(R.synapseIngress),
      message: 'ingress from gateway/haproxy (only homeserver/synapse may connect)',
    },
  ],
  'NET-05': [
    {
      name: 'media reachable from the directory',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        child(blocks(ruleOf(j, R.synapseIngress, 'ingress').from)[0]!, 'namespace_selector', 'match_labels')['kubernetes.io/metadata.name'] = 'agency-directory';
      },
      address: address(R.synapseIngress),
      message: 'ingress from directory (only gateway and homeserver may connect)',
    },
    {
      name: 'media reachable from the gateway on a non-HTTP port',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        ruleOf(j, R.synapseIngress, 'ingress').ports = [{ port: '9000', protocol: 'TCP' }];
      },
      address: address(R.synapseIngress),
      message: 'ingress from gateway on ports [9000]',
    },
  ],
  // ---------------------------------------------------------------- SEC
  'SEC-01': [
    {
      name: 'database password in the state backend block',
      mutate: (j) => Object.assign(j, { terraform: { ...(j.terraform ?? {}), backend: { pg: { conn_str: 'postgres://terraform:Winter2026@db.internal/state' } } } }),
      address: '$.terraform.backend.pg.conn_str',
      message: 'URL with embedded credentials',
    },
    {
      name: 'secret in a Terraform output',
      mutate: (j) => Object.assign(j, { output: { admin_token: { value: 'syt_YWRtaW4_AbCdEfGhIjKlMnOpQrSt_123456' } } }),
      address: '$.output.admin_token',
      message: /Synapse access token|secret-like key/,
    },
    {
      name: 'password literal in a ConfigMap file',
      mutate: (j) => add(j, { type: 'kubernetes_config_map_v1', name: 'leaky' }, { metadata: { name: 'leaky', namespace: HOMESERVER_NAMESPACE }, data: { 'ldap.yaml': 'uri: ldaps://ldap\nbind_password: Winter2026!\n' } }),
      address: 'resource.kubernetes_config_map_v1.leaky.data.ldap.yaml:2',
      message: 'secret-like key "bind_password" holds a literal value',
    },
    {
      name: 'token in an environment variable',
      mutate: (j) => ((containerOf(j, R.synapseDeployment).env = [{ name: 'ADMIN_TOKEN', value: 'tok-not-a-path' }]), undefined),
      address: 'env[0]',
      message: /secret-like key|high-entropy|literal/,
    },
    {
      name: 'PEM private key in a Secret data block',
      mutate: (j) => add(j, { type: 'kubernetes_secret_v1', name: 'tls' }, { metadata: { name: 'tls', namespace: HOMESERVER_NAMESPACE }, data: { 'tls.key': '-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----\n' } }),
      address: 'resource.kubernetes_secret_v1.tls.data',
      message: 'PEM private key',
    },
    {
      name: 'random key material in an annotation',
      mutate: (j) => (labelsOf(j, R.synapseDeployment)['note'] = 'k7Qz9Lm2Vx8Rt4Np6Ws1Yb3Hd5Jf0Gc'),
      address: 'labels.note',
      message: 'high-entropy token',
    },
    {
      name: 'credentials in a connection URL',
      mutate: (j) => (labelsOf(j, R.synapseDeployment)['db'] = 'postgres://synapse:hunter2@postgres/synapse'),
      address: 'labels.db',
      message: 'URL with embedded credentials',
    },
  ],

  // ---------------------------------------------------------------- RES
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

  // ---------------------------------------------------------------- STO
  'STO-01': [
    { name: 'claim without storage class', mutate: (j) => delete specOf(j, R.synapseClaim).storage_class_name, address: address(R.synapseClaim), message: 'no explicit storage_class_name' },
    { name: 'claim with empty storage class', mutate: (j) => (specOf(j, R.synapseClaim).storage_class_name = ''), address: address(R.synapseClaim), message: 'no explicit storage_class_name' },
    {
      name: 'volume claim template with a non-allowlisted class',
      mutate: (j) => (child(specOf(j, R.postgresStatefulSet), 'volume_claim_template', 'spec').storage_class_name = 'standard'),
      address: `${postgres} volume_claim_template`,
      message: 'storage class "standard" is not allowlisted',
    },
    { name: 'volume claim template without class', mutate: (j) => delete child(specOf(j, R.postgresStatefulSet), 'volume_claim_template', 'spec').storage_class_name, address: `${postgres} volume_claim_template`, message: 'no explicit storage_class_name' },
    {
      name: 'generic ephemeral volume on the cluster default class',
      mutate: (j) => volumeList(j, R.synapseDeployment).push({ name: 'scratch', ephemeral: { volume_claim_template: { spec: { access_modes: ['ReadWriteOncePod'] } } } }),
      address: `${synapse} volume "scratch" (ephemeral)`,
      message: 'no explicit storage_class_name',
    },
  ],
  'STO-03': [
    {
      name: 'claim mounted by two deployments in one namespace',
      mutate: (j) => addClaimUser(j, 'synapse-copy', R.homeserverNamespace, 'synapse-media'),
      address: `claim "${HOMESERVER_NAMESPACE}/synapse-media"`,
      message: `mounted by ${synapse}, kubernetes_deployment_v1.synapse-copy_workload`,
    },
    {
      name: 'claim mounted by a deployment and a stateful set',
      mutate: (j) => volumeList(j, R.postgresStatefulSet).push(claimVolume('media', 'synapse-media')),
      address: `claim "${HOMESERVER_NAMESPACE}/synapse-media"`,
      message: postgres,
    },
  ],
};

/** Variants close to a violation that the rule must still accept. */
export const NEAR_MISSES: Readonly<Record<string, readonly NearMiss[]>> = {
  'NET-05': [{ name: 'media reached from the gateway on 8008', mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media') }],
  'SEC-01': [
    { name: 'a *_path option pointing at a mounted file', mutate: (j) => (labelsOf(j, R.synapseDeployment)['bind_password_file'] = '/secrets/ldap/password') },
    { name: 'a cdktf reference', mutate: (j) => (labelsOf(j, R.synapseDeployment)['token'] = '${kubernetes_secret_v1.x.metadata[0].name}') },
    { name: 'an image digest', mutate: (j) => (labelsOf(j, R.synapseDeployment)['image'] = SYNAPSE_IMAGE) },
  ],
  'POD-06': [{ name: 'host_port 0', mutate: (j) => (child(containerOf(j, R.synapseDeployment), 'port').host_port = 0) }],
  'POD-05': [{ name: 'Localhost seccomp profile', mutate: (j) => (child(podSecurityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Localhost') }],
  'NET-02': [{ name: 'DNS with end_port 53', mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ end_port: 53, port: '53', protocol: 'UDP' }]) }],
  'NET-03': [{ name: '0.0.0.0/0 ingress in the gateway compartment (fixture)', mutate: () => undefined }],
  'NET-06': [{ name: 'LoadBalancer in the gateway compartment (fixture)', mutate: () => undefined }],
  'NET-07': [
    { name: 'cluster ranges carved by a wider except', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32', '10.0.0.0/8', '192.168.0.0/16']) },
    { name: 'pod CIDR not excluded without config', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32']), context: STANDALONE_CONTEXT },
  ],
  'IMG-02': [{ name: 'explicit registry without config', mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace('ghcr.io', 'quay.io')), context: STANDALONE_CONTEXT }],
  'IMG-03': [{ name: 'version "= 2.38.0"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').version = '= 2.38.0') }],
  'STO-03': [
    { name: 'same claim name in another namespace', mutate: (j) => addClaimUser(j, 'gateway-media', R.gatewayNamespace, 'synapse-media') },
    { name: 'two claims in one namespace', mutate: (j) => addClaimUser(j, 'synapse-other', R.homeserverNamespace, 'synapse-other-media') },
  ],
};

/** The firing cases of one rule; throws when the table has none. */
export function firingCases(ruleId: string): readonly FiringCase[] {
  const cases = FIRING_CASES[ruleId];
  if (!cases || cases.length === 0) throw new Error(`no firing cases for ${ruleId}`);
  return cases;
}

export function nearMisses(ruleId: string): readonly NearMiss[] {
  return NEAR_MISSES[ruleId] ?? [];
}
