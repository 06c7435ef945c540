/** The case table of NET-08 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import * as path from 'node:path';
import { projectRoot } from '../../../config/project-root';
import { loadDeploymentConfig } from '../../../model/load-config';
import { editHaproxy, haproxyFile, publicFrontend } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import {
  add,
  address,
  GATEWAY_NAMESPACE,
  haproxyConfigText,
  manifestResource,
  R,
  remove,
  specOf,
  STANDALONE_CONTEXT,
  type Mutation,
} from '../../../test/policies/fixtures';
import { blocks, type JsonObject } from '../../../tfjson/terraform-json';

/** The public frontend's default deny (the calls host has deny lines of its own, which start with the calls ACLs). */
const DENY = /^\s*http-request deny deny_status 404 if !client_host /;

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

export const cases: RuleCases = {
  bad: [
    {
      name: "the client's origin sent to Synapse",
      mutate: replaceLines(/^\s*use_backend client if client_host$/, () => '  use_backend synapse if client_host'),
      address: publicFrontend,
      message: 'sends every path of ACL client_host to namespace agency-homeserver, which is not a web client compartment',
    },
    {
      name: "the client's backend dialling Synapse",
      mutate: replaceLines(/^\s*server client /, (line) =>
        line.replace(/element-web\.agency-client\.svc/g, 'synapse.agency-homeserver.svc'),
      ),
      address: publicFrontend,
      message: 'to namespace agency-homeserver, which is not a web client compartment',
    },
    {
      name: "the client's origin routed after another backend",
      mutate: editHaproxy((lines) => {
        const route = '  use_backend client if client_host';
        const rest = lines.filter((line) => line !== route);
        const index = rest.findIndex((line) => /^\s*use_backend media /.test(line));
        return [...rest.slice(0, index + 1), route, ...rest.slice(index + 1)];
      }),
      address: publicFrontend,
      message: 'the first use_backend does not send exactly them to the web client',
    },
    {
      name: 'without site facts: an origin sent to a namespace that is no client compartment',
      mutate: replaceLines(/^\s*server client /, (line) =>
        line.replace(/element-web\.agency-client\.svc/g, 'synapse.agency-homeserver.svc'),
      ),
      context: STANDALONE_CONTEXT,
      address: publicFrontend,
      message: 'which is not a web client compartment',
    },
    {
      name: 'a route for the whole /_synapse tree',
      mutate: routeToSynapse('acl synapse_api path_beg /_synapse/'),
      address: publicFrontend,
      message: /use_backend synapse \(line \d+\) routes \/_synapse\/admin\/v1\/users/,
    },
    {
      name: 'a route for the admin API',
      mutate: routeToSynapse('acl admin_api path_beg /_synapse/admin'),
      address: publicFrontend,
      message: /routes \/_synapse\/admin\/v1\/users/,
    },
    {
      name: 'a route for the client password reset',
      mutate: routeToSynapse('acl reset path_beg /_synapse/client/password_reset'),
      address: publicFrontend,
      message: /routes \/_synapse\/client\/password_reset/,
    },
    {
      name: 'a route for /metrics',
      mutate: routeToSynapse('acl metrics_path path /metrics'),
      address: publicFrontend,
      message: /use_backend synapse \(line \d+\) routes \/metrics$/,
    },
    {
      name: 'a regex route for /_synapse/metrics',
      mutate: routeToSynapse('acl synapse_metrics path_reg ^/_synapse/metrics$'),
      address: publicFrontend,
      message: /routes \/_synapse\/metrics$/,
    },
    {
      name: 'a route by host (every path)',
      mutate: routeToSynapse('acl our_host hdr(host) -i matrix.agency.example.org'),
      address: publicFrontend,
      message: /routes \/_synapse\/admin/,
    },
    {
      name: 'a regex route that lets the %5F-encoded admin path through',
      mutate: routeToSynapse('acl not_underscore path_reg ^/[^_]'),
      address: publicFrontend,
      message: /routes \/%5Fsynapse\/admin/,
    },
    {
      name: 'the default deny admits /_synapse through an unrouted ACL',
      mutate: replaceLines(DENY, (line) => ['  acl everything path_beg /', `${line} !everything`]),
      address: publicFrontend,
      message: /the default deny \(line \d+\) admits \/_synapse\/admin\/v1\/users\/@admin:example\.org through ACL everything/,
    },
    {
      name: 'default deny removed',
      mutate: replaceLines(DENY, () => []),
      address: publicFrontend,
      message: 'no default deny (http-request deny if !route1 !route2 ...) before the first use_backend',
    },
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
    {
      name: 'default deny narrowed to POST requests',
      mutate: replaceLines(DENY, (line) => `${line} METH_POST`),
      address: publicFrontend,
      message: 'no default deny',
    },
    {
      name: 'default deny not covering the client API route',
      mutate: replaceLines(DENY, (line) => line.replace(' !client_api', '')),
      address: publicFrontend,
      message: /does not cover the route "client_api" of use_backend synapse/,
    },
    {
      name: 'http-request allow before the default deny',
      mutate: replaceLines(DENY, (line) => ['  http-request allow if { src 10.0.0.0/8 }', line]),
      address: publicFrontend,
      message: /http-request allow \(line \d+\) runs before the default deny/,
    },
    {
      name: 'default_backend',
      mutate: replaceLines(SYNAPSE_ROUTE, (line) => [line, '  default_backend synapse']),
      address: publicFrontend,
      message: /default_backend synapse \(line \d+\) sends every unclaimed path to a backend/,
    },
    {
      name: 'use_backend without a condition',
      mutate: replaceLines(SYNAPSE_ROUTE, () => '  use_backend synapse'),
      address: publicFrontend,
      message: /use_backend synapse \(line \d+\) has no condition: it routes every path/,
    },
    {
      name: 'path rewritten towards the admin API',
      mutate: replaceLines(SYNAPSE_ROUTE, (line) => ['  http-request replace-path /_matrix/client/admin/(.*) /_synapse/admin/\\1', line]),
      address: publicFrontend,
      message: /http-request replace-path \(line \d+\) rewrites requests towards \/_synapse or \/metrics/,
    },
    {
      name: 'a listen section forwarding the metrics port',
      mutate: editHaproxy((lines) => [
        ...lines,
        'listen synapse_metrics',
        '  bind :9000',
        '  server synapse synapse.agency-homeserver.svc:9000',
        '',
      ]),
      address: `${haproxyFile} listen synapse_metrics`,
      message: /listen section with server synapse \(line \d+\) forwards every path/,
    },
    {
      name: 'LoadBalancer exposing a port named metrics',
      mutate: addService('LoadBalancer', { name: 'metrics', port: 9000, protocol: 'TCP', target_port: 'metrics' }),
      address: address(R.haproxyService),
      message: 'type LoadBalancer exposes port metrics (metrics:',
    },
    {
      name: 'NodePort targeting the replication port',
      mutate: addService('NodePort', { name: 'internal', port: 8080, protocol: 'TCP', target_port: '9093' }),
      address: address(R.haproxyService),
      message: 'type NodePort exposes port internal (9093:',
    },
    {
      name: 'Service manifest exposing replication',
      mutate: (j) =>
        void add(
          j,
          { type: 'kubernetes_manifest', name: 'synapse-public_manifest' },
          manifestResource(
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 'synapse-public', namespace: GATEWAY_NAMESPACE },
              spec: { type: 'LoadBalancer', ports: [{ name: 'replication', port: 9093, targetPort: 9093 }] },
            },
            false,
          ),
        ),
      address: 'kubernetes_manifest.synapse-public_manifest',
      message: 'type LoadBalancer exposes port replication',
    },
  ],
  good: [
    { name: 'the federated fleet gateway (federation and key routes)', mutate: editHaproxy(() => fleetHaproxyConfig().split('\n')) },
    {
      name: 'default deny written as "unless a || b ..."',
      mutate: replaceLines(DENY, (line) =>
        line.replace(
          / if (.*)$/,
          (_match, terms: string) =>
            ` unless ${terms
              .split(' ')
              .map((term) => term.slice(1))
              .join(' || ')}`,
        ),
      ),
    },
    {
      name: 'an explicit deny of /_synapse before the default deny',
      mutate: replaceLines(DENY, (line) => [
        '  acl synapse_tree path_beg /_synapse',
        '  http-request deny deny_status 404 if synapse_tree',
        line,
      ]),
    },
    {
      name: 'a regex route inside an admitted prefix',
      mutate: replaceLines(SYNAPSE_ROUTE, (line) => [
        '  acl sync_path path_reg ^/_matrix/client/v3/sync$',
        '  use_backend synapse if sync_path',
        line,
      ]),
    },
    {
      name: "HAProxy's own exporter on a separate frontend (no backend route)",
      mutate: editHaproxy((lines) => [
        ...lines,
        'frontend stats',
        '  bind :8405',
        '  http-request use-service prometheus-exporter if { path /metrics }',
        '  http-request deny deny_status 404',
        '',
      ]),
    },
    {
      name: 'metrics port on a ClusterIP Service',
      mutate: (j) =>
        (specOf(j, R.synapseService).port = [
          ...blocks(specOf(j, R.synapseService).port),
          { name: 'metrics', port: 9000, protocol: 'TCP', target_port: 'metrics' },
        ]),
    },
  ],
  notApplicable: [
    {
      name: 'a stack without HAProxy and without LoadBalancer or NodePort Services',
      mutate: (j) => {
        remove(j, R.haproxyConfig);
        // The gateway's and the calls' media load balancers both made internal.
        specOf(j, R.haproxyService).type = 'ClusterIP';
        specOf(j, R.livekitMediaService).type = 'ClusterIP';
      },
    },
  ],
};
