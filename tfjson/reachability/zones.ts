/** The pseudo-zones beside namespaces, and the order zones are listed in. */
import { compareText } from './compare-text';

/** Addresses outside the cluster: ipBlock peers, and anything a non-isolated pod may talk to. */
export const OUTSIDE_ZONE = 'outside';
/** Namespaces neither declared by the stacks nor named by their selectors (a name no real namespace can have). */
export const ANY_NAMESPACE_ZONE = 'any namespace';

export function zoneRank(zone: string): number {
  return zone === OUTSIDE_ZONE ? 0 : zone === ANY_NAMESPACE_ZONE ? 2 : 1;
}

/** `outside` first (the entry point), then namespaces by name, then `any namespace`. */
export function compareZones(a: string, b: string): number {
  return zoneRank(a) - zoneRank(b) || compareText(a, b);
}
