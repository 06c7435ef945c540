/** The case table of RTC-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { editLivekit, livekitFile, mediaService, publishMediaPort, section } from '../../../test/policies/case-helpers/rtc';
import type { RuleCases } from '../../../test/policies/case-table';
import { R, remove, specOf, STANDALONE_CONTEXT } from '../../../test/policies/fixtures';

/** Sets the TURN relay range of LiveKit's configuration. */
const relayRange = (first: number | undefined, last: number | undefined) =>
  editLivekit((config) => {
    const turn = section(config, 'turn');
    turn.relay_range_start = first ?? null;
    turn.relay_range_end = last ?? null;
    if (first === undefined) delete turn.relay_range_start;
    if (last === undefined) delete turn.relay_range_end;
  });

export const cases: RuleCases = {
  bad: [
    // LiveKit's configuration.
    {
      name: 'no rtc.udp_port (ICE on a port per participant)',
      mutate: editLivekit((config) => delete section(config, 'rtc').udp_port),
      address: livekitFile,
      message: 'rtc.udp_port is (absent): ICE must be multiplexed on one UDP port',
    },
    {
      name: 'no rtc section at all (LiveKit then opens its default port range)',
      mutate: editLivekit((config) => delete config.rtc),
      address: livekitFile,
      message: 'rtc.udp_port is (absent)',
    },
    {
      name: 'rtc.udp_port written as a range',
      mutate: editLivekit((config) => (section(config, 'rtc').udp_port = '7882-7892')),
      address: livekitFile,
      message: 'ICE must be multiplexed on one UDP port',
    },
    {
      name: 'an ICE port range beside the UDP port',
      mutate: editLivekit((config) => Object.assign(section(config, 'rtc'), { port_range_start: 50000, port_range_end: 60000 })),
      address: livekitFile,
      message: 'rtc.port_range_start/end opens a UDP port per participant',
    },
    {
      name: 'only the end of an ICE port range, without site facts',
      mutate: editLivekit((config) => (section(config, 'rtc').port_range_end = 60000)),
      address: livekitFile,
      message: 'rtc.port_range_start/end',
      context: STANDALONE_CONTEXT,
    },
    {
      name: "TURN relay range unset (LiveKit's default is 10001 ports)",
      mutate: relayRange(undefined, undefined),
      address: livekitFile,
      message: /turn\.relay_range is \(absent\)-\(absent\): unset/,
    },
    {
      name: 'TURN relay range of 1001 ports',
      mutate: relayRange(30000, 31000),
      address: livekitFile,
      message: 'turn.relay_range 30000-31000 spans 1001 ports, more than 1000',
    },
    {
      name: 'TURN relay range ending before it starts',
      mutate: relayRange(30099, 30000),
      address: livekitFile,
      message: 'turn.relay_range 30099-30000 ends before it starts',
    },
    {
      name: 'TURN relay range starting at 0',
      mutate: relayRange(0, 999),
      address: livekitFile,
      message: 'turn.relay_range is 0-999',
    },
    // The media load balancer.
    {
      name: 'media load balancer open to every address',
      mutate: (j) => (specOf(j, R.livekitMediaService).load_balancer_source_ranges = []),
      address: mediaService,
      message: 'load_balancer_source_ranges is empty',
    },
    {
      name: 'media load balancer without source ranges, without site facts',
      mutate: (j) => delete specOf(j, R.livekitMediaService).load_balancer_source_ranges,
      address: mediaService,
      message: 'load_balancer_source_ranges is empty',
      context: STANDALONE_CONTEXT,
    },
    {
      name: "the participant's address lost (external traffic policy Cluster)",
      mutate: (j) => (specOf(j, R.livekitMediaService).external_traffic_policy = 'Cluster'),
      address: mediaService,
      message: 'external_traffic_policy is "Cluster", must be "Local"',
    },
    {
      name: 'external traffic policy unset',
      mutate: (j) => delete specOf(j, R.livekitMediaService).external_traffic_policy,
      address: mediaService,
      message: 'external_traffic_policy is (absent)',
    },
    {
      name: "the TLS front's https port published beside the media",
      mutate: publishMediaPort({ name: 'https', port: 8443, protocol: 'TCP', target_port: 'https' }),
      address: mediaService,
      message: "publishes 8443/TCP, which is not a media port of the SFU's configuration",
    },
    {
      name: 'a port published onto a media port under another number',
      mutate: publishMediaPort({ name: 'rtc-udp-443', port: 443, protocol: 'UDP', target_port: 7882 }),
      address: mediaService,
      message: 'publishes 443/UDP onto port 7882: a media port must be published as itself',
    },
    {
      name: 'a UDP port the configuration does not listen on',
      mutate: publishMediaPort({ name: 'rtc-udp-extra', port: 7883, protocol: 'UDP', target_port: 'rtc-udp-extra' }),
      address: mediaService,
      message: 'publishes 7883/UDP',
    },
    {
      name: 'the TURN port published while TURN is off',
      mutate: editLivekit((config) => (section(config, 'turn').enabled = false)),
      address: mediaService,
      message: 'publishes 3478/UDP',
    },
    {
      name: 'the media ports published as a NodePort (no source ranges to judge, the client address lost)',
      mutate: (j) => {
        const spec = specOf(j, R.livekitMediaService);
        spec.type = 'NodePort';
        delete spec.external_traffic_policy;
      },
      address: mediaService,
      message: 'external_traffic_policy is (absent)',
    },
  ],
  good: [
    { name: 'the rendered LiveKit configuration and media load balancer (fixture)', mutate: () => undefined },
    { name: 'a stricter TURN relay range', mutate: relayRange(30000, 30009) },
    { name: 'a TURN relay range of exactly 1000 ports', mutate: relayRange(40000, 40999) },
    {
      name: 'narrower source ranges',
      mutate: (j) => (specOf(j, R.livekitMediaService).load_balancer_source_ranges = ['198.51.100.0/24', '2001:db8::/32']),
    },
  ],
  notApplicable: [
    {
      name: 'no LiveKit configuration and no external Service in the calls compartment',
      mutate: (j) => {
        remove(j, R.livekitConfig);
        remove(j, R.livekitMediaService);
      },
    },
    {
      name: 'the media Service made ClusterIP, without LiveKit configuration',
      mutate: (j) => {
        remove(j, R.livekitConfig);
        specOf(j, R.livekitMediaService).type = 'ClusterIP';
      },
    },
  ],
};
