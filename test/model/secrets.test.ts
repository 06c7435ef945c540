import { loadDeploymentConfig } from '../../config/load-config';
import { homeserverSecretDeclarations } from '../../model/homeserver-workloads';
import { scanText } from '../../policies/secrets/secret-scan';
import { pyYamlLoad } from '../support/python';
import { workloadsOf } from '../../model/workloads';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';

const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);

describe('secret declarations', () => {
  const agency = fleet.homeservers[1]!;
  const declared = new Map(homeserverSecretDeclarations(agency).map((secret) => [secret.name, secret]));

  it('declare each secret once', () => {
    expect(declared.size).toBe(homeserverSecretDeclarations(agency).length);
  });

  it('deliver SMTP settings as a complete, templated email section only when mail is configured', () => {
    expect(homeserverSecretDeclarations(fleet.homeservers[0]!).map((s) => s.name)).not.toContain('synapse-email');
    const email = declared.get('synapse-email');
    expect(email?.consumers).toEqual(['homeserver']);
    const template = email?.templates?.['email.yaml'] ?? '';
    expect(pyYamlLoad(template)).toEqual({
      email: expect.objectContaining({ smtp_host: 'smtp.agency.example.org', smtp_port: 587, smtp_pass: '{{ .password }}', require_transport_security: true, force_tls: false }),
    });
    expect(scanText(template, 'email.yaml')).toEqual([]);
    const synapse = workloadsOf(fleet, agency).find((w) => w.name === 'synapse');
    expect(synapse?.command).toEqual(expect.arrayContaining(['--config-path', '/secrets/email/email.yaml', '--no-secrets-in-config']));
    expect(synapse?.secretMounts?.map((m) => m.secretName)).toContain('synapse-email');
  });

  it('cover every secret a workload mounts, and only for the compartments allowed to read it', () => {
    for (const homeserver of fleet.homeservers) {
      for (const workload of workloadsOf(fleet, homeserver)) {
        for (const mount of workload.secretMounts ?? []) {
          const secret = declared.get(mount.secretName);
          expect(secret).toBeDefined();
          expect(secret?.consumers).toContain(workload.compartment);
        }
      }
    }
  });

  it('give the LDAP bind password to the directory and the homeserver only, never to media or gateway', () => {
    expect(declared.get('ldap-bind')?.consumers).toEqual(['directory', 'homeserver']);
    const mediaAndGateway = fleet.homeservers.flatMap((homeserver) => workloadsOf(fleet, homeserver)).filter((w) => w.compartment === 'media' || w.compartment === 'gateway');
    expect(mediaAndGateway.flatMap((w) => w.secretMounts ?? []).map((m) => m.secretName)).not.toContain('ldap-bind');
  });

  it('pass no secret through the environment: env values are names and paths only', () => {
    for (const workload of workloadsOf(fleet, fleet.homeservers[0]!)) {
      for (const [name, value] of Object.entries(workload.env ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|KEY/.test(name)) {
          expect(name).toMatch(/_FILE$/);
          expect(value).toMatch(/^\//);
        }
      }
    }
  });
});
