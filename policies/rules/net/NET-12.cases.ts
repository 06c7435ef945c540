/** The case table of NET-12 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { PLAINTEXT_REASON_ANNOTATION, TRANSPORT_ANNOTATION } from '../../../model/flow-transport';
import { editSynapse, synapseConfigFile } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import {
  add,
  address,
  body,
  child,
  copy,
  GATEWAY_NAMESPACE,
  metadataBlock,
  R,
  SITE_HOMESERVER,
  type Mutation,
  type ResourceRef,
} from '../../../test/policies/fixtures';
import { blocks, isObject, type JsonObject, type TerraformJson } from '../../../tfjson/terraform-json';

// ---------------------------------------------------------------- NET-12: every internal hop is TLS
const redisFile = `${address(R.redisConfig)} data "redis.conf"`;

/** Sets (or, with undefined, removes) annotations of a policy. */
const annotate =
  (policy: ResourceRef, annotations: Record<string, string | undefined>): Mutation =>
  (j) => {
    const metadata = metadataBlock(j, policy);
    const current = (isObject(metadata.annotations) ? metadata.annotations : {}) as Record<string, string>;
    for (const [key, value] of Object.entries(annotations)) {
      if (value === undefined) delete current[key];
      else current[key] = value;
    }
    metadata.annotations = current;
  };

/** The first rule of the SFU's UDP media ingress. */
function mediaRule(j: TerraformJson): JsonObject {
  const [rule] = blocks(child(body(j, R.livekitRtcUdpIngress), 'spec').ingress);
  if (!rule) throw new Error('no media ingress rule');
  return rule;
}

/** The SFU's TURN relay egress to its own published address, as the flow matrix states it (webrtc, an address block). */
function relayEgress(j: TerraformJson): JsonObject {
  const policy = copy(body(j, R.livekitRtcUdpIngress));
  const metadata = child(policy, 'metadata');
  metadata.name = 'egress-livekit-to-outside-relay';
  const spec = child(policy, 'spec');
  spec.ingress = [];
  spec.egress = [
    {
      ports: [{ port: String(SITE_HOMESERVER.calls?.media.rtcUdpPort), protocol: 'UDP' }],
      to: [{ ip_block: { cidr: `${SITE_HOMESERVER.calls?.media.publicAddress}/32`, except: [] } }],
    },
  ];
  spec.policy_types = ['Egress'];
  return policy;
}

/** Edits redis.conf's lines. */
const editRedis =
  (edit: (lines: string[]) => string[]): Mutation =>
  (j) => {
    const data = child(body(j, R.redisConfig), 'data');
    data['redis.conf'] = edit(String(data['redis.conf']).split('\n')).join('\n');
  };
const replaceLine = (prefix: string, line: string | undefined) =>
  editRedis((lines) =>
    lines.flatMap((candidate) => (candidate.startsWith(`${prefix} `) ? (line === undefined ? [] : [line]) : [candidate])),
  );

/** Edits Synapse's replication listener (the listener serving the replication resource). */
const replicationListener = (edit: (listener: JsonObject) => void): Mutation =>
  editSynapse((config) => {
    const listeners = (Array.isArray(config.listeners) ? config.listeners : []) as JsonObject[];
    const listener = listeners.find((candidate) => JSON.stringify(candidate.resources ?? []).includes('replication'));
    if (!listener) throw new Error('no replication listener');
    edit(listener);
  });

const plaintext = 'plaintext';

export const cases: RuleCases = {
  bad: [
    {
      name: 'a policy that states no transport',
      mutate: annotate(R.synapseIngress, { [TRANSPORT_ANNOTATION]: undefined }),
      address: address(R.synapseIngress),
      message: `states no transport (annotation ${TRANSPORT_ANNOTATION}`,
    },
    {
      name: 'the client listener declared plain text',
      mutate: annotate(R.synapseIngress, { [TRANSPORT_ANNOTATION]: plaintext, [PLAINTEXT_REASON_ANNOTATION]: 'faster' }),
      address: address(R.synapseIngress),
      message: 'admits port 8008 in plain text, which is neither the cluster DNS (53) nor a metrics listener',
    },
    {
      name: 'a plain-text scrape without a reason',
      mutate: annotate(R.synapseMetricsIngress, { [PLAINTEXT_REASON_ANNOTATION]: ' ' }),
      address: address(R.synapseMetricsIngress),
      message: `is plaintext without a reason (${PLAINTEXT_REASON_ANNOTATION})`,
    },
    {
      name: 'replication served without TLS',
      mutate: replicationListener((listener) => (listener.tls = false)),
      address: synapseConfigFile,
      message: 'listeners[1] (port 9093) is an HTTP listener without tls: true',
    },
    {
      name: 'the main process dialled in clear in the instance map',
      mutate: editSynapse((config) => {
        const main = (config.instance_map as JsonObject).main as JsonObject;
        delete main.tls;
      }),
      address: synapseConfigFile,
      message: 'instance_map.main is dialled without tls: true',
    },
    {
      name: 'Redis dialled in clear',
      mutate: editSynapse((config) => ((config.redis as JsonObject).use_tls = false)),
      address: synapseConfigFile,
      message: 'redis.use_tls is not true',
    },
    {
      name: 'Redis dialled without a client certificate',
      mutate: editSynapse((config) => delete (config.redis as JsonObject).certificate_file),
      address: synapseConfigFile,
      message: 'redis.certificate_file is missing: Redis requires a client certificate',
    },
    {
      name: 'Redis listening in clear too',
      mutate: replaceLine('port', 'port 6379'),
      address: redisFile,
      message: 'port is 6379, must be 0',
    },
    {
      name: 'Redis without a port directive (its default 6379 is plain text)',
      mutate: replaceLine('port', undefined),
      address: redisFile,
      message: 'port is (absent: 6379), must be 0',
    },
    {
      name: 'Redis accepting clients without a certificate',
      mutate: replaceLine('tls-auth-clients', 'tls-auth-clients optional'),
      address: redisFile,
      message: 'tls-auth-clients is not yes',
    },
    {
      name: 'Redis without its CA file',
      mutate: replaceLine('tls-ca-cert-file', undefined),
      address: redisFile,
      message: 'tls-ca-cert-file is not set',
    },
    {
      name: 'metrics and the client API in plain text on one http listener',
      mutate: editSynapse((config) =>
        (config.listeners as JsonObject[]).push({ port: 9001, type: 'http', tls: false, resources: [{ names: ['metrics', 'client'] }] }),
      ),
      address: synapseConfigFile,
      message: 'listeners[3] (port 9001) is an HTTP listener without tls: true',
    },
    // WebRTC is the transport of call media with participants outside only.
    {
      name: 'webrtc stated on a policy between pods',
      mutate: annotate(R.synapseIngress, { [TRANSPORT_ANNOTATION]: 'webrtc' }),
      address: address(R.synapseIngress),
      message: 'states the webrtc transport for peers inside the cluster',
    },
    {
      name: 'a webrtc media policy that also admits a pod',
      mutate: (j) => {
        const rule = mediaRule(j);
        rule.from = [
          ...blocks(rule.from),
          {
            namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': GATEWAY_NAMESPACE } },
            pod_selector: { match_labels: { 'matrix.sovereign/workload': 'haproxy' } },
          },
        ];
      },
      address: address(R.livekitRtcUdpIngress),
      message: 'states the webrtc transport for peers inside the cluster',
    },
    {
      name: 'a webrtc media policy with a rule without peers',
      mutate: (j) => (mediaRule(j).from = []),
      address: address(R.livekitRtcUdpIngress),
      message: 'states the webrtc transport for peers inside the cluster',
    },
    {
      name: 'an unknown transport on the media ingress',
      mutate: annotate(R.livekitRtcUdpIngress, { [TRANSPORT_ANNOTATION]: 'dtls' }),
      address: address(R.livekitRtcUdpIngress),
      message: 'states no transport',
    },
  ],
  good: [
    { name: 'TLS everywhere, plain text only for DNS and scrapes, each with its reason (fixture)', mutate: () => undefined },
    {
      name: "the SFU's relay egress to its own published address, stating webrtc",
      mutate: (j) =>
        add(j, { type: 'kubernetes_network_policy_v1', name: 'livekit_policy-egress-livekit-to-outside-relay' }, relayEgress(j)),
    },
    {
      name: 'metrics served in plain text by an http listener with the metrics resource only',
      mutate: editSynapse((config) =>
        (config.listeners as JsonObject[]).push({ port: 9001, type: 'http', tls: false, resources: [{ names: ['metrics'] }] }),
      ),
    },
    {
      name: 'Redis on another TLS port',
      mutate: replaceLine('tls-port', 'tls-port 6380'),
    },
    {
      name: 'a policy that admits nothing states nothing',
      mutate: (j) => {
        annotate(R.synapseIngress, { [TRANSPORT_ANNOTATION]: undefined })(j);
        child(body(j, R.synapseIngress), 'spec').ingress = [];
      },
    },
  ],
};
