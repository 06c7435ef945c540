/** The case table of NET-05 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import {
  address,
  child,
  labelsOf,
  metadataBlock,
  R,
  remove,
  ruleOf,
  SITE_CONFIG,
  STANDALONE_CONTEXT,
} from '../../../test/policies/fixtures';
import { blocks } from '../../../tfjson/terraform-json';

export const cases: RuleCases = {
  bad: [
    {
      // The compartment is the namespace's label, not the end of its name.
      name: 'media reachable from a namespace named like the gateway but labelled as another compartment',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        labelsOf(j, R.gatewayNamespace)['matrix.sovereign/compartment'] = 'directory';
      },
      address: address(R.synapseIngress),
      message: 'ingress from agency-gateway (only gateway and homeserver may connect',
    },
    {
      name: 'media reachable from the directory',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        child(blocks(ruleOf(j, R.synapseIngress, 'ingress').from)[0]!, 'namespace_selector', 'match_labels')[
          'kubernetes.io/metadata.name'
        ] = 'agency-directory';
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
        child(blocks(ingress.from)[0]!, 'namespace_selector', 'match_labels')['kubernetes.io/metadata.name'] =
          SITE_CONFIG.monitoring.namespace;
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
        child(blocks(ruleOf(j, R.synapseMetricsIngress, 'ingress').from)[0]!, 'namespace_selector', 'match_labels')[
          'kubernetes.io/metadata.name'
        ] = 'agency-directory';
      },
      address: address(R.synapseMetricsIngress),
      message: 'ingress from agency-directory (only gateway and homeserver may connect)',
      context: STANDALONE_CONTEXT,
    },
  ],
  good: [
    {
      name: 'media reached from the gateway on 8008 and scraped by the site Prometheus on 9000',
      mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media'),
    },
    {
      name: 'the gateway compartment in a namespace whose name does not say so',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        metadataBlock(j, R.gatewayNamespace).name = 'edge-proxy';
        child(blocks(ruleOf(j, R.synapseIngress, 'ingress').from)[0]!, 'namespace_selector', 'match_labels')[
          'kubernetes.io/metadata.name'
        ] = 'edge-proxy';
      },
    },
    {
      name: 'without site facts, the monitoring namespace on the metrics port alone is not judged (no false error)',
      mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media'),
      context: STANDALONE_CONTEXT,
    },
  ],
  notApplicable: [{ name: 'no namespace of the media compartment (fixture)', mutate: () => undefined }],
};
