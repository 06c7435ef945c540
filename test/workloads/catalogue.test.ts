/** The workload catalogue: a compartment's workloads are built on their own, and are exactly the homeserver's workloads in that compartment. */
import { HOMESERVER_COMPARTMENTS } from '../../model/compartments';
import { loadDeploymentConfig } from '../../model/load-config';
import { workloadsIn, workloadsOf } from '../../workloads/catalogue';
import { DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE } from '../config/config-fixtures';

describe.each([DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE])('the catalogue of %s', (file) => {
  const config = loadDeploymentConfig(file);
  it.each(HOMESERVER_COMPARTMENTS)(
    'builds the %s workloads of each homeserver: those of the whole catalogue in that compartment, in order',
    (compartment) => {
      for (const homeserver of config.homeservers) {
        const own = workloadsIn(config, homeserver, compartment);
        expect(own.every((workload) => workload.compartment === compartment)).toBe(true);
        expect(own).toEqual(workloadsOf(config, homeserver).filter((workload) => workload.compartment === compartment));
      }
    },
  );
});
