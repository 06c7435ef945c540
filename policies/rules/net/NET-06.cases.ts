/** The case table of NET-06 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { setLabel } from '../../../test/policies/case-helpers/common';
import { mediaService, publishMediaPort } from '../../../test/policies/case-helpers/rtc';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, R, specOf, STANDALONE_CONTEXT } from '../../../test/policies/fixtures';
import { blocks } from '../../../tfjson/terraform-json';

const NOT_CALL_MEDIA = 'type LoadBalancer in compartment calls with a port that is not call media';

export const cases: RuleCases = {
  bad: [
    {
      name: 'LoadBalancer outside the gateway',
      mutate: (j) => (specOf(j, R.synapseService).type = 'LoadBalancer'),
      address: address(R.synapseService),
      message: 'type LoadBalancer in compartment homeserver',
    },
    {
      name: 'NodePort outside the gateway',
      mutate: (j) => (specOf(j, R.synapseService).type = 'NodePort'),
      address: address(R.synapseService),
      message: 'type NodePort in compartment homeserver',
    },
    {
      name: 'ExternalName even in the gateway',
      mutate: (j) => (specOf(j, R.haproxyService).type = 'ExternalName'),
      address: address(R.haproxyService),
      message: 'type ExternalName in compartment gateway',
    },
    {
      name: 'LoadBalancer in a namespace without compartment label',
      mutate: (j) => setLabel(j, R.gatewayNamespace, 'matrix.sovereign/compartment', undefined),
      address: address(R.haproxyService),
      message: 'type LoadBalancer in compartment (unknown)',
    },
    {
      name: 'external_ips on a ClusterIP service',
      mutate: (j) => (specOf(j, R.synapseService).external_ips = ['203.0.113.10']),
      address: address(R.synapseService),
      message: 'external_ips set',
    },
    // The calls compartment publishes media only: UDP, and ICE over TCP on the port named rtc-tcp.
    {
      name: "the calls load balancer publishing the TLS front's https port",
      mutate: publishMediaPort({ name: 'https', port: 8443, protocol: 'TCP', target_port: 'https' }),
      address: mediaService,
      message: NOT_CALL_MEDIA,
    },
    {
      name: 'the ICE TCP port under another name, without site facts',
      mutate: (j) => {
        const tcp = blocks(specOf(j, R.livekitMediaService).port).find((port) => port.protocol === 'TCP');
        if (tcp) tcp.name = 'tcp';
      },
      address: mediaService,
      message: NOT_CALL_MEDIA,
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'a calls load balancer without ports',
      mutate: (j) => (specOf(j, R.livekitMediaService).port = []),
      address: mediaService,
      message: NOT_CALL_MEDIA,
    },
    {
      name: 'ExternalName in the calls compartment',
      mutate: (j) => (specOf(j, R.livekitMediaService).type = 'ExternalName'),
      address: mediaService,
      message: 'type ExternalName in compartment calls',
    },
    {
      name: 'the media Service with external_ips',
      mutate: (j) => (specOf(j, R.livekitMediaService).external_ips = ['203.0.113.20']),
      address: mediaService,
      message: 'external_ips set',
    },
  ],
  good: [
    { name: "LoadBalancers in the gateway compartment and for the calls' media, UDP and rtc-tcp only (fixture)", mutate: () => undefined },
    {
      name: 'the media ports published as a NodePort (UDP and rtc-tcp only)',
      mutate: (j) => (specOf(j, R.livekitMediaService).type = 'NodePort'),
    },
  ],
};
