/** The case table of NET-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { TRANSPORT_ANNOTATION } from '../../../model/flow-transport';
import { setLabel } from '../../../test/policies/case-helpers/common';
import { annotatePolicy } from '../../../test/policies/case-helpers/rtc';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, ipBlockOf, R, ruleOf, STANDALONE_CONTEXT } from '../../../test/policies/fixtures';

const rtcUdpIngress = address(R.livekitRtcUdpIngress);
const NOT_CALL_MEDIA = 'ingress from 0.0.0.0/0 outside the gateway compartment (and not to call media)';

export const cases: RuleCases = {
  bad: [
    {
      name: 'empty namespace selector',
      mutate: (j) => (child(ruleOf(j, R.synapseIngress, 'ingress'), 'from', 'namespace_selector').match_labels = {}),
      address: address(R.synapseIngress),
      message: 'ingress: peer without a namespace selector label',
    },
    {
      name: 'pod selector absent',
      mutate: (j) => delete child(ruleOf(j, R.synapseIngress, 'ingress'), 'from').pod_selector,
      address: address(R.synapseIngress),
      message: 'ingress: peer without a pod selector label',
    },
    {
      name: 'egress peer with empty selectors',
      mutate: (j) =>
        (ruleOf(j, R.homeserverDns, 'egress').to = [{ namespace_selector: { match_labels: {} }, pod_selector: { match_labels: {} } }]),
      address: address(R.homeserverDns),
      message: 'egress: peer without a namespace selector label',
    },
    {
      name: 'ingress rule without peers',
      mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').from = []),
      address: address(R.synapseIngress),
      message: 'ingress rule without peers allows every source/destination',
    },
    {
      name: '0.0.0.0/0 ingress outside the gateway',
      mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').from = [{ ip_block: { cidr: '0.0.0.0/0', except: [] } }]),
      address: address(R.synapseIngress),
      message: 'ingress from 0.0.0.0/0 outside the gateway compartment',
    },
    {
      name: 'gateway namespace loses its compartment label',
      mutate: (j) => setLabel(j, R.gatewayNamespace, 'matrix.sovereign/compartment', undefined),
      address: address(R.haproxyIngress),
      message: 'ingress from 0.0.0.0/0 outside the gateway compartment',
    },
    {
      name: '0.0.0.0/0 egress without except',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = []),
      address: address(R.synapseFederation),
      message: 'egress to 0.0.0.0/0 without excluded ranges',
    },
    {
      name: '::/0 egress with except absent',
      mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '::/0' } }]),
      address: address(R.synapseFederation),
      message: 'egress to ::/0 without excluded ranges',
    },
    // The calls compartment admits 0.0.0.0/0 only to single media ports stating WebRTC's transport.
    {
      name: '0.0.0.0/0 media ingress in calls stating TLS instead of webrtc',
      mutate: annotatePolicy(R.livekitRtcUdpIngress, { [TRANSPORT_ANNOTATION]: 'tls' }),
      address: rtcUdpIngress,
      message: NOT_CALL_MEDIA,
    },
    {
      name: '0.0.0.0/0 media ingress in calls stating no transport, without site facts',
      mutate: annotatePolicy(R.livekitRtcUdpIngress, { [TRANSPORT_ANNOTATION]: undefined }),
      address: rtcUdpIngress,
      message: NOT_CALL_MEDIA,
      context: STANDALONE_CONTEXT,
    },
    {
      name: '0.0.0.0/0 webrtc ingress in calls to a port range',
      mutate: (j) => (ruleOf(j, R.livekitRtcUdpIngress, 'ingress').ports = [{ end_port: 30099, port: '30000', protocol: 'UDP' }]),
      address: rtcUdpIngress,
      message: NOT_CALL_MEDIA,
    },
    {
      name: '0.0.0.0/0 webrtc ingress in calls to every port',
      mutate: (j) => delete ruleOf(j, R.livekitRtcUdpIngress, 'ingress').ports,
      address: rtcUdpIngress,
      message: NOT_CALL_MEDIA,
    },
    {
      name: '0.0.0.0/0 webrtc ingress in calls to a named port',
      mutate: (j) => (ruleOf(j, R.livekitRtcUdpIngress, 'ingress').ports = [{ port: 'rtc-udp', protocol: 'UDP' }]),
      address: rtcUdpIngress,
      message: NOT_CALL_MEDIA,
    },
    {
      name: 'a webrtc policy in another compartment',
      mutate: (j) => {
        annotatePolicy(R.synapseIngress, { [TRANSPORT_ANNOTATION]: 'webrtc' })(j);
        ruleOf(j, R.synapseIngress, 'ingress').from = [{ ip_block: { cidr: '0.0.0.0/0', except: [] } }];
      },
      address: address(R.synapseIngress),
      message: NOT_CALL_MEDIA,
    },
  ],
  good: [
    { name: "0.0.0.0/0 ingress in the gateway compartment and to the SFU's media ports (fixture)", mutate: () => undefined },
    {
      name: '0.0.0.0/0 webrtc ingress in calls to two single ports in one rule',
      mutate: (j) =>
        (ruleOf(j, R.livekitRtcUdpIngress, 'ingress').ports = [
          { port: '7882', protocol: 'UDP' },
          { port: '3478', protocol: 'UDP' },
        ]),
    },
    {
      name: '0.0.0.0/0 webrtc ingress in calls written as a range of one port',
      mutate: (j) => (ruleOf(j, R.livekitRtcUdpIngress, 'ingress').ports = [{ end_port: 7882, port: '7882', protocol: 'UDP' }]),
    },
  ],
};
