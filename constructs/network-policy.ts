/** Renders a derived NetworkPolicyModel as a typed kubernetes_network_policy_v1 resource. */
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { Construct } from 'constructs';
import { PLAINTEXT_REASON_ANNOTATION, TRANSPORT_ANNOTATION, type FlowTransport } from '../model/flow-transport';
import type { NetworkPolicyModel, PolicyPeer, PolicyRule } from '../model/network-policies';

function renderPeer(peer: PolicyPeer) {
  return peer.kind === 'ipBlock'
    ? { ipBlock: { cidr: peer.ipBlock.cidr, except: [...peer.ipBlock.except] } }
    : { namespaceSelector: { matchLabels: { ...peer.namespaceLabels } }, podSelector: { matchLabels: { ...peer.podLabels } } };
}

function renderPorts(rule: PolicyRule) {
  return rule.ports.map((port) => ({ port: String(port.port), protocol: port.protocol }));
}

/** Whether the admitted traffic is TLS, and why not when it is not. */
function transportAnnotations(transport: FlowTransport | undefined): Record<string, string> {
  if (!transport) return {};
  if (transport.kind === 'webrtc') return { [TRANSPORT_ANNOTATION]: 'webrtc' };
  return transport.kind === 'tls'
    ? { [TRANSPORT_ANNOTATION]: 'tls' }
    : { [TRANSPORT_ANNOTATION]: 'plaintext', [PLAINTEXT_REASON_ANNOTATION]: transport.reason };
}

export interface FlowPolicyProps {
  readonly model: NetworkPolicyModel;
  /** The namespace name, as a reference to the namespace resource so it is created first. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

export class FlowPolicy extends Construct {
  readonly resource: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: FlowPolicyProps) {
    super(scope, id);
    const { model } = props;
    this.resource = new NetworkPolicyV1(this, 'policy', {
      metadata: {
        name: model.name,
        namespace: props.namespace,
        labels: { ...props.labels },
        annotations: { 'matrix.sovereign/reason': model.reason, ...transportAnnotations(model.transport) },
      },
      spec: {
        podSelector: { matchLabels: { ...model.podLabels } },
        policyTypes: [...model.policyTypes],
        ingress: model.ingress.map((rule) => ({ from: rule.peers.map(renderPeer), ports: renderPorts(rule) })),
        egress: model.egress.map((rule) => ({ to: rule.peers.map(renderPeer), ports: renderPorts(rule) })),
      },
    });
  }
}
