import { readFileSync } from 'node:fs';
import { loadDeploymentConfig, parseDeploymentConfig } from '../../model/load-config';
import { fleetConfig, FLEET_TEMPLATE_PATH, homeserverName, MAX_FLEET_SIZE } from '../../scripts/bench/fleet-config';

describe('fleetConfig', () => {
  it.each([1, 2, 5, 20, 50])('produces a valid config with %i homeservers, unique names and server names', (size) => {
    const config = parseDeploymentConfig(fleetConfig(size), `fleet-${size}.yaml`);
    expect(config.homeservers).toHaveLength(size);
    expect(new Set(config.homeservers.map((homeserver) => homeserver.name)).size).toBe(size);
    expect(new Set(config.homeservers.map((homeserver) => homeserver.serverName)).size).toBe(size);
    expect(new Set(config.homeservers.flatMap((homeserver) => homeserver.allowedEmailDomains)).size).toBe(
      config.homeservers.flatMap((homeserver) => homeserver.allowedEmailDomains).length,
    );
  });

  it('is the example fleet, renamed, for three homeservers', () => {
    const example = JSON.stringify(loadDeploymentConfig(FLEET_TEMPLATE_PATH))
      .replace(/\bministry\b/g, 'hsaaa')
      .replace(/\bagency\b/g, 'hsaab')
      .replace(/\bregion\b(?!":)/g, 'hsaac'); // the value, not the S3 "region" key
    expect(JSON.parse(example)).toEqual(JSON.parse(JSON.stringify(parseDeploymentConfig(fleetConfig(3)))));
  });

  it('turns federation off for a lone homeserver, and keeps every member of a larger fleet federating', () => {
    expect(parseDeploymentConfig(fleetConfig(1)).homeservers[0]?.federation).toEqual({ enabled: false, peers: [], egressCidrs: [] });
    const fleet = parseDeploymentConfig(fleetConfig(20));
    for (const homeserver of fleet.homeservers) {
      expect(homeserver.federation.enabled).toBe(true);
      expect(homeserver.federation.peers).not.toContain(homeserver.serverName);
    }
    expect(fleet.homeservers[0]?.federation.peers).toHaveLength(19);
    // Copies of the member with explicit peers name the first two others.
    expect(fleet.homeservers[2]?.federation.peers).toEqual(['matrix.hsaaa.example.org', 'matrix.hsaab.example.org']);
  });

  it('names homeservers with letters only, in order', () => {
    expect([0, 1, 25, 26, 675, 676].map(homeserverName)).toEqual(['hsaaa', 'hsaab', 'hsaaz', 'hsaba', 'hsazz', 'hsbaa']);
    expect(new Set(Array.from({ length: MAX_FLEET_SIZE }, (_, index) => homeserverName(index))).size).toBe(MAX_FLEET_SIZE);
  });

  it('refuses sizes outside 1..MAX_FLEET_SIZE and a template without homeservers', () => {
    expect(() => fleetConfig(0)).toThrow(RangeError);
    expect(() => fleetConfig(2.5)).toThrow(RangeError);
    expect(() => fleetConfig(MAX_FLEET_SIZE + 1)).toThrow(RangeError);
    const template = readFileSync(FLEET_TEMPLATE_PATH, 'utf8');
    expect(() => fleetConfig(2, template.slice(0, template.indexOf('homeservers:')))).toThrow(/no homeservers/);
  });
});
