/** NET rules (network segmentation): mutations of the compliant fixture that must fire, and near misses that must not. */
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../../model/load-config';
import { projectRoot } from '../../../config/project-root';
import { blocks, type JsonObject, type TerraformJson } from '../../../policies/terraform-json';
import { add, address, child, containerAddress, containerOf, copy, GATEWAY_NAMESPACE, haproxyConfigText, HOMESERVER_NAMESPACE, ipBlockOf, labelsOf, manifestResource, type Mutation, podSpecOf, R, remove, ruleOf, SITE_CONFIG, specOf, STANDALONE_CONTEXT } from '../fixtures';
import { editHaproxy, editSynapse, haproxyFile, publicFrontend, setLabel, synapseConfigFile, workerConfigFile } from './helpers';
import type { CaseTable, FiringCase, NearMiss } from './types';

// ---------------------------------------------------------------- NET-08: gateway routing and exposure

const DENY = /^\s*http-request deny deny_status 404 if /;
const SYNAPSE_ROUTE = /^\s*use_backend synapse if /;

/** Replaces the lines matching `pattern` (each through `replace`, which may return several lines). */
function replaceLines(pattern: RegExp, replace: (line: string) => string | string[]): Mutation {
  return editHaproxy((lines) => {
    if (!lines.some((line) => pattern.test(line))) throw new Error(`haproxy.cfg has no line matching ${String(pattern)}`);
    return lines.flatMap((line) => (pattern.test(line) ? replace(line) : [line]));
  });
}

/** Adds an ACL before the default deny, admits it there and routes it to Synapse. */
function routeToSynapse(acl: string): Mutation {
  const name = acl.split(/\s+/)[1] ?? '';
  return (j) => {
    replaceLines(DENY, (line) => [`  ${acl}`, `${line} !${name}`])(j);
    replaceLines(SYNAPSE_ROUTE, (line) => `${line} || ${name}`)(j);
  };
}

function addService(type: string, port: JsonObject): Mutation {
  return (j) => {
    const spec = specOf(j, R.haproxyService);
    spec.type = type;
    spec.port = [...blocks(spec.port), port];
  };
}

/** The federated fleet's gateway config (federation routes on), rendered for its first member. */
function fleetHaproxyConfig(): string {
  const fleet = loadDeploymentConfig(path.join(projectRoot(), 'config', 'examples', 'fleet.yaml'));
  const member = fleet.homeservers.find((homeserver) => homeserver.federation.enabled);
  if (!member) throw new Error('the fleet example has no federated homeserver');
  return haproxyConfigText(fleet, member);
}

const NET_08_CASES: FiringCase[] = [
  { name: 'a route for the whole /_synapse tree', mutate: routeToSynapse('acl synapse_api path_beg /_synapse/'), address: publicFrontend, message: /use_backend synapse \(line \d+\) routes \/_synapse\/admin\/v1\/users/ },
  { name: 'a route for the admin API', mutate: routeToSynapse('acl admin_api path_beg /_synapse/admin'), address: publicFrontend, message: /routes \/_synapse\/admin\/v1\/users/ },
  { name: 'a route for the client password reset', mutate: routeToSynapse('acl reset path_beg /_synapse/client/password_reset'), address: publicFrontend, message: /routes \/_synapse\/client\/password_reset/ },
  { name: 'a route for /metrics', mutate: routeToSynapse('acl metrics_path path /metrics'), address: publicFrontend, message: /use_backend synapse \(line \d+\) routes \/metrics$/ },
  { name: 'a regex route for /_synapse/metrics', mutate: routeToSynapse('acl synapse_metrics path_reg ^/_synapse/metrics$'), address: publicFrontend, message: /routes \/_synapse\/metrics$/ },
  { name: 'a route by host (every path)', mutate: routeToSynapse('acl our_host hdr(host) -i matrix.agency.example.org'), address: publicFrontend, message: /routes \/_synapse\/admin/ },
  { name: 'a regex route that lets the %5F-encoded admin path through', mutate: routeToSynapse('acl not_underscore path_reg ^/[^_]'), address: publicFrontend, message: /routes \/%5Fsynapse\/admin/ },
  { name: 'the default deny admits /_synapse through an unrouted ACL', mutate: replaceLines(DENY, (line) => ['  acl everything path_beg /', `${line} !everything`]), address: publicFrontend, message: /the default deny \(line \d+\) admits \/_synapse\/admin\/v1\/users\/@admin:example\.org through ACL everything/ },
  { name: 'default deny removed', mutate: replaceLines(DENY, () => []), address: publicFrontend, message: 'no default deny (http-request deny if !route1 !route2 ...) before the first use_backend' },
  {
    name: 'default deny after the first use_backend',
    mutate: (j) => {
      let deny = '';
      replaceLines(DENY, (line) => ((deny = line), []))(j);
      replaceLines(SYNAPSE_ROUTE, (line) => [line, deny])(j);
    },
    address: publicFrontend,
    message: 'no default deny',
  },
  { name: 'default deny narrowed to POST requests', mutate: replaceLines(DENY, (line) => `${line} METH_POST`), address: publicFrontend, message: 'no default deny' },
  { name: 'default deny not covering the client API route', mutate: replaceLines(DENY, (line) => line.replace(' !client_api', '')), address: publicFrontend, message: /does not cover the route "client_api" of use_backend synapse/ },
  { name: 'http-request allow before the default deny', mutate: replaceLines(DENY, (line) => ['  http-request allow if { src 10.0.0.0/8 }', line]), address: publicFrontend, message: /http-request allow \(line \d+\) runs before the default deny/ },
  { name: 'default_backend', mutate: replaceLines(SYNAPSE_ROUTE, (line) => [line, '  default_backend synapse']), address: publicFrontend, message: /default_backend synapse \(line \d+\) sends every unclaimed path to a backend/ },
  { name: 'use_backend without a condition', mutate: replaceLines(SYNAPSE_ROUTE, () => '  use_backend synapse'), address: publicFrontend, message: /use_backend synapse \(line \d+\) has no condition: it routes every path/ },
  {
    name: 'path rewritten towards the admin API',
    mutate: replaceLines(SYNAPSE_ROUTE, (line) => ['  http-request replace-path /_matrix/client/admin/(.*) /_synapse/admin/\\1', line]),
    address: publicFrontend,
    message: /http-request replace-path \(line \d+\) rewrites requests towards \/_synapse or \/metrics/,
  },
  {
    name: 'a listen section forwarding the metrics port',
    mutate: editHaproxy((lines) => [...lines, 'listen synapse_metrics', '  bind :9000', '  server synapse synapse.agency-homeserver.svc:9000', '']),
    address: `${haproxyFile} listen synapse_metrics`,
    message: /listen section with server synapse \(line \d+\) forwards every path/,
  },
  { name: 'LoadBalancer exposing a port named metrics', mutate: addService('LoadBalancer', { name: 'metrics', port: 9000, protocol: 'TCP', target_port: 'metrics' }), address: address(R.haproxyService), message: 'type LoadBalancer exposes port metrics (metrics:' },
  { name: 'NodePort targeting the replication port', mutate: addService('NodePort', { name: 'internal', port: 8080, protocol: 'TCP', target_port: '9093' }), address: address(R.haproxyService), message: 'type NodePort exposes port internal (9093:' },
  {
    name: 'Service manifest exposing replication',
    mutate: (j) =>
      void add(j, { type: 'kubernetes_manifest', name: 'synapse-public_manifest' }, manifestResource({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'synapse-public', namespace: GATEWAY_NAMESPACE }, spec: { type: 'LoadBalancer', ports: [{ name: 'replication', port: 9093, targetPort: 9093 }] } }, false)),
    address: 'kubernetes_manifest.synapse-public_manifest',
    message: 'type LoadBalancer exposes port replication',
  },
];

const NET_08_NEAR_MISSES: NearMiss[] = [
  { name: 'the federated fleet gateway (federation and key routes)', mutate: editHaproxy(() => fleetHaproxyConfig().split('\n')) },
  { name: 'default deny written as "unless a || b ..."', mutate: replaceLines(DENY, (line) => line.replace(/ if (.*)$/, (_match, terms: string) => ` unless ${terms.split(' ').map((term) => term.slice(1)).join(' || ')}`)) },
  { name: 'an explicit deny of /_synapse before the default deny', mutate: replaceLines(DENY, (line) => ['  acl synapse_tree path_beg /_synapse', '  http-request deny deny_status 404 if synapse_tree', line]) },
  { name: 'a regex route inside an admitted prefix', mutate: replaceLines(SYNAPSE_ROUTE, (line) => ['  acl sync_path path_reg ^/_matrix/client/v3/sync$', '  use_backend synapse if sync_path', line]) },
  { name: 'HAProxy\'s own exporter on a separate frontend (no backend route)', mutate: editHaproxy((lines) => [...lines, 'frontend stats', '  bind :8405', '  http-request use-service prometheus-exporter if { path /metrics }', '  http-request deny deny_status 404', '']) },
  { name: 'metrics port on a ClusterIP Service', mutate: (j) => (specOf(j, R.synapseService).port = [...blocks(specOf(j, R.synapseService).port), { name: 'metrics', port: 9000, protocol: 'TCP', target_port: 'metrics' }]) },
];

// ---------------------------------------------------------------- NET-09: LDAP over verified TLS

const LDAP_URI = 'ldaps://openldap.agency-directory.svc:636';
const ldapConfig = (config: JsonObject) => child(blocks(config.modules)[0] ?? {}, 'config');
const editLdap = (edit: (module: JsonObject) => void) => editSynapse((config) => edit(ldapConfig(config)));
const openldapContainer = containerAddress(R.openldapStatefulSet, 'openldap');
const slapdCommand = (j: TerraformJson) => containerOf(j, R.openldapStatefulSet);

const NET_09_CASES: FiringCase[] = [
  { name: 'ldap:// without StartTLS', mutate: editLdap((module) => (module.uri = 'ldap://openldap.agency-directory.svc:389')), address: synapseConfigFile, message: 'modules[0].config.uri "ldap://openldap.agency-directory.svc:389" is not ldaps:// and start_tls is not true' },
  { name: 'one ldap:// URI in a list', mutate: editLdap((module) => (module.uri = [LDAP_URI, 'ldap://ldap-backup.example.org'])), address: synapseConfigFile, message: 'uri "ldap://ldap-backup.example.org" is not ldaps://' },
  { name: 'uri absent', mutate: editLdap((module) => delete module.uri), address: synapseConfigFile, message: 'modules[0].config.uri is (absent)' },
  { name: 'tls_options.validate absent (ldap3 default CERT_NONE)', mutate: editLdap((module) => delete child(module, 'tls_options').validate), address: synapseConfigFile, message: 'tls_options.validate is (absent), must be 2 (ssl.CERT_REQUIRED' },
  { name: 'tls_options.validate 1 (CERT_OPTIONAL)', mutate: editLdap((module) => (child(module, 'tls_options').validate = 1)), address: synapseConfigFile, message: 'tls_options.validate is 1, must be 2' },
  { name: 'tls_options absent', mutate: editLdap((module) => delete module.tls_options), address: synapseConfigFile, message: 'tls_options.ca_certs_file is (absent): nothing to verify' },
  { name: 'ca_certs_file empty', mutate: editLdap((module) => (child(module, 'tls_options').ca_certs_file = '')), address: synapseConfigFile, message: 'tls_options.ca_certs_file is ""' },
  {
    name: 'legacy password_providers entry over ldap://',
    mutate: editSynapse((config) => (config.password_providers = [{ module: 'ldap_auth_provider.LdapAuthProvider', config: { enabled: true, uri: 'ldap://openldap:389', tls_options: { validate: 2, ca_certs_file: '/trust/ca.crt' } } }])),
    address: synapseConfigFile,
    message: 'password_providers[0].config.uri "ldap://openldap:389" is not ldaps://',
  },
  {
    name: 'worker file with its own LDAP module over ldap://',
    mutate: editSynapse((config) => (config.modules = [{ module: 'ldap_auth_provider.LdapAuthProviderModule', config: { enabled: true, uri: 'ldap://openldap:389' } }]), 'worker.yaml'),
    address: workerConfigFile,
    message: 'modules[0].config.uri "ldap://openldap:389" is not ldaps://',
  },
  { name: 'slapd also listening on ldap:///', mutate: (j) => (slapdCommand(j).command = ['/opt/bitnami/openldap/sbin/slapd', '-d', 'stats', '-h', 'ldaps://0.0.0.0:1636/ ldap://0.0.0.0:1389/', '-F', '/run/slapd.d']), address: openldapContainer, message: 'slapd listens on ldap://0.0.0.0:1389/; only ldaps:// is allowed' },
  { name: 'slapd listening on ldapi:///', mutate: (j) => (slapdCommand(j).command = ['slapd', '-h', 'ldapi:/// ldaps:///']), address: openldapContainer, message: 'slapd listens on ldapi:///' },
  { name: 'slapd without -h (default ldap:///)', mutate: (j) => (slapdCommand(j).command = ['/usr/sbin/slapd', '-d', 'stats', '-F', '/run/slapd.d']), address: openldapContainer, message: 'slapd listens on ldap:/// (slapd\'s default without -h)' },
  { name: 'slapd -h joined to its value', mutate: (j) => (slapdCommand(j).command = ['slapd', '-hldap:///']), address: openldapContainer, message: 'slapd listens on ldap:///' },
  { name: 'slapd started from a shell script', mutate: (j) => (slapdCommand(j).command = ['sh', '-ec', 'test -d /run/slapd.d\nexec /usr/sbin/slapd -d stats -h "ldap:/// ldaps:///" -F /run/slapd.d']), address: openldapContainer, message: 'slapd listens on ldap:///' },
  { name: 'OpenLDAP image entrypoint (no command)', mutate: (j) => delete slapdCommand(j).command, address: openldapContainer, message: 'runs the OpenLDAP image entrypoint' },
];

const NET_09_NEAR_MISSES: NearMiss[] = [
  { name: 'ldap:// with StartTLS and validation', mutate: editLdap((module) => Object.assign(module, { uri: 'ldap://openldap.agency-directory.svc:389', start_tls: true })) },
  { name: 'two ldaps:// URIs', mutate: editLdap((module) => (module.uri = [LDAP_URI, 'ldaps://ldap-backup.agency.example.org:636'])) },
  { name: 'slapd -h ldaps:/// from a shell script', mutate: (j) => (slapdCommand(j).command = ['sh', '-ec', 'exec /usr/sbin/slapd -d stats -h "ldaps:///" -F /run/slapd.d']) },
  {
    name: 'init container on the OpenLDAP image running slapadd',
    mutate: (j) => {
      const init = copy(slapdCommand(j));
      Object.assign(init, { name: 'load-config', command: ['/opt/bitnami/openldap/sbin/slapadd', '-n', '0', '-F', '/run/slapd.d', '-l', '/config/slapd-config.ldif'] });
      podSpecOf(j, R.openldapStatefulSet).init_container = [init];
    },
  },
];

// ---------------------------------------------------------------- NET-10: breadth of address blocks

const setFederationBlock = (cidr: string): Mutation => (j) => (ipBlockOf(j, R.synapseFederation, 'egress').cidr = cidr);
const setGatewayIngress = (cidr: string): Mutation => (j) => (ipBlockOf(j, R.haproxyIngress, 'ingress').cidr = cidr);
const setSourceRanges = (ranges: string[]): Mutation => (j) => (specOf(j, R.haproxyService).load_balancer_source_ranges = ranges);

const NET_10_CASES: FiringCase[] = [
  { name: 'egress to half the IPv4 internet', mutate: setFederationBlock('0.0.0.0/1'), address: address(R.synapseFederation), message: 'egress 0.0.0.0/1 is a /1: wider than /16 (IPv4) for an outside service' },
  { name: 'egress to a /15', mutate: setFederationBlock('198.50.0.0/15'), address: address(R.synapseFederation), message: 'wider than /16 (IPv4)' },
  { name: 'egress to an IPv6 /31', mutate: setFederationBlock('2001:db8::/31'), address: address(R.synapseFederation), message: 'egress 2001:db8::/31 is a /31: wider than /32 (IPv6)' },
  { name: 'ingress from a /7', mutate: setGatewayIngress('2.0.0.0/7'), address: address(R.haproxyIngress), message: 'ingress 2.0.0.0/7 is a /7: wider than /8 (IPv4) for client networks' },
  { name: 'ingress from an IPv6 /3', mutate: setGatewayIngress('2000::/3'), address: address(R.haproxyIngress), message: 'wider than /16 (IPv6)' },
  { name: 'load-balancer source ranges of two /1 halves', mutate: setSourceRanges(['0.0.0.0/1', '128.0.0.0/1']), address: address(R.haproxyService), message: 'load-balancer source range 128.0.0.0/1 is a /1' },
];

// ---------------------------------------------------------------- NET-11: peers in shared and system namespaces

/** The namespace the first peer of a policy's first rule selects by name. */
const peerNamespace = (policy: typeof R.homeserverDns, direction: 'ingress' | 'egress', name: string | string[]): Mutation => (j) => {
  const peer = blocks(ruleOf(j, policy, direction)[direction === 'ingress' ? 'from' : 'to'])[0];
  if (!peer) throw new Error('no peer');
  peer.namespace_selector = Array.isArray(name) ? { match_expressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: name }] } : { match_labels: { 'kubernetes.io/metadata.name': name } };
};

const NET_11_CASES: FiringCase[] = [
  { name: 'cluster DNS in the default namespace', mutate: peerNamespace(R.homeserverDns, 'egress', 'default'), address: address(R.homeserverDns), message: 'egress peer in the default namespace' },
  { name: 'Prometheus admitted from kube-system', mutate: peerNamespace(R.synapseMetricsIngress, 'ingress', 'kube-system'), address: address(R.synapseMetricsIngress), message: 'ingress peer in kube-system, a namespace of Kubernetes itself, for something other than DNS egress' },
  { name: 'Prometheus admitted from default or monitoring (In expression)', mutate: peerNamespace(R.synapseMetricsIngress, 'ingress', ['monitoring', 'default']), address: address(R.synapseMetricsIngress), message: 'ingress peer in the default namespace' },
  { name: 'egress to kube-system on 443', mutate: (j) => (peerNamespace(R.homeserverDns, 'egress', 'kube-system')(j), (ruleOf(j, R.homeserverDns, 'egress').ports = [{ port: '443', protocol: 'TCP' }])), address: address(R.homeserverDns), message: 'egress peer in kube-system' },
  { name: 'cluster DNS in a compartment this stack creates', mutate: peerNamespace(R.homeserverDns, 'egress', HOMESERVER_NAMESPACE), address: address(R.homeserverDns), message: `DNS egress to ${HOMESERVER_NAMESPACE}, a namespace of this deployment`, context: STANDALONE_CONTEXT },
  { name: 'cluster DNS in a platform namespace of the site config', mutate: peerNamespace(R.homeserverDns, 'egress', 'matrix-openbao'), address: address(R.homeserverDns), message: 'DNS egress to matrix-openbao, a namespace of this deployment' },
];

export const NET_FIRING_CASES: CaseTable<FiringCase> = {
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
      message: 'ingress from agency-directory (only gateway and homeserver may connect',
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
    {
      name: 'the monitoring namespace on a port other than metrics',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        remove(j, R.synapseMetricsIngress);
        const ingress = ruleOf(j, R.synapseIngress, 'ingress');
        child(blocks(ingress.from)[0]!, 'namespace_selector', 'match_labels')['kubernetes.io/metadata.name'] = SITE_CONFIG.monitoring.namespace;
        ingress.ports = [{ port: '8008', protocol: 'TCP' }];
      },
      address: address(R.synapseIngress),
      message: 'ingress from the monitoring namespace on ports [8008] (allowed: 9000)',
    },
    {
      name: 'without site facts, a namespace outside the deployment on a port other than metrics',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        ruleOf(j, R.synapseMetricsIngress, 'ingress').ports = [{ port: '8008', protocol: 'TCP' }];
      },
      address: address(R.synapseMetricsIngress),
      message: /ingress from [a-z0-9-]+ \(only gateway and homeserver may connect\)/,
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'without site facts, another compartment on the metrics port',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        child(blocks(ruleOf(j, R.synapseMetricsIngress, 'ingress').from)[0]!, 'namespace_selector', 'match_labels')['kubernetes.io/metadata.name'] = 'agency-directory';
      },
      address: address(R.synapseMetricsIngress),
      message: 'ingress from agency-directory (only gateway and homeserver may connect)',
      context: STANDALONE_CONTEXT,
    },
  ],
  'NET-08': NET_08_CASES,
  'NET-09': NET_09_CASES,
  'NET-10': NET_10_CASES,
  'NET-11': NET_11_CASES,
};

export const NET_NEAR_MISSES: CaseTable<NearMiss> = {
  'NET-05': [
    {
      name: 'media reached from the gateway on 8008 and scraped by the site Prometheus on 9000',
      mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media'),
    },
    {
      name: 'without site facts, the monitoring namespace on the metrics port alone is not judged (no false error)',
      mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media'),
      context: STANDALONE_CONTEXT,
    },
  ],
  'NET-02': [{ name: 'DNS with end_port 53', mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ end_port: 53, port: '53', protocol: 'UDP' }]) }],
  'NET-03': [{ name: '0.0.0.0/0 ingress in the gateway compartment (fixture)', mutate: () => undefined }],
  'NET-06': [{ name: 'LoadBalancer in the gateway compartment (fixture)', mutate: () => undefined }],
  'NET-07': [
    { name: 'cluster ranges carved by a wider except', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32', '10.0.0.0/8', '192.168.0.0/16']) },
    { name: 'pod CIDR not excluded without config', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32']), context: STANDALONE_CONTEXT },
  ],
  'NET-08': NET_08_NEAR_MISSES,
  'NET-09': NET_09_NEAR_MISSES,
  'NET-11': [
    { name: 'cluster DNS in kube-system, Prometheus in its own namespace (fixture)', mutate: () => undefined },
    { name: 'cluster DNS in a platform namespace of another distribution', mutate: peerNamespace(R.homeserverDns, 'egress', 'openshift-dns') },
    { name: 'cluster DNS in a namespace of another deployment (not in the site config, not in the stack)', mutate: peerNamespace(R.homeserverDns, 'egress', 'other-homeserver') },
  ],
  'NET-10': [
    { name: 'the any-address for federation and a public gateway (fixture)', mutate: () => undefined },
    { name: 'egress to a /16 and ingress from a /8', mutate: (j) => (setFederationBlock('198.51.0.0/16')(j), setGatewayIngress('11.0.0.0/8')(j)) },
    { name: 'IPv6: egress to a /32, source ranges of a /16 and the any-address', mutate: (j) => (setFederationBlock('2001:db8::/32')(j), setSourceRanges(['2001::/16', '::/0'])(j)) },
  ],
};
