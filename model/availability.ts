/**
 * How a long-running workload stays available through voluntary disruptions (node drains,
 * upgrades) and node loss, as plain data: its disruption budget and how its pods spread over
 * nodes and zones. The constructs write both on every Deployment and StatefulSet.
 */

/** The node label every node carries (the kubelet sets it): one topology domain per node. */
export const HOSTNAME_TOPOLOGY_KEY = 'kubernetes.io/hostname';
/** The zone label clouds set; nodes without it (a one-node test cluster) are only scored, never refused. */
export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';
/** On the controller: why it runs one pod (WorkloadSpec.singletonReason), for reviewers and POD-10. */
export const SINGLETON_ANNOTATION = 'matrix.sovereign/singleton';

/**
 * The budget is `maxUnavailable: 1` whatever the replica count. Rather than `minAvailable:
 * replicas - 1`, it follows the controller's scale as it changes (a budget written with the
 * old count would block or allow too much), and for a singleton it still lets a drain evict
 * the one pod: a budget that allows no disruption would hold every node drain forever. The
 * singleton's short outage is the one its reason accepts.
 */
export const MAX_UNAVAILABLE = 1;

export interface SpreadConstraint {
  readonly topologyKey: string;
  readonly maxSkew: number;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
}

/**
 * A workload of two or more pods spreads them one per node at most one apart (DoNotSchedule),
 * and over zones where the nodes have zones (ScheduleAnyway). DoNotSchedule on the hostname
 * cannot deadlock a rollout: a Deployment surges one pod before it removes one (maxSurge 1,
 * maxUnavailable 0) and a StatefulSet frees a pod's node before recreating it, so the new pod
 * always fits a least-loaded node and only waits for capacity there, with every old pod still
 * serving. On a one-node cluster the skew is always 0. Cordoned and tainted nodes are left out of
 * the count (nodeTaintsPolicy Honor), so a drain cannot strand the pod it evicts.
 */
export function spreadConstraints(replicas: number): SpreadConstraint[] {
  if (replicas < 2) return [];
  return [
    { topologyKey: HOSTNAME_TOPOLOGY_KEY, maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' },
    { topologyKey: ZONE_TOPOLOGY_KEY, maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' },
  ];
}
