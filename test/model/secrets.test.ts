/**
 * The secret declarations: each once, delivered only to the compartments that read it, rendered
 * only from declared values, generated where they can be. The SMTP section as External Secrets'
 * real template engine renders it is in secrets.ttest.ts (npm run test:tools).
 */
import { homeserverCertificates } from '../../model/certificates';
import { loadDeploymentConfig } from '../../model/load-config';
import { passwordEntropyBits, templateReferences, valueNames } from '../../model/secrets';
import { scanText } from '../../policies/secrets/secret-scan';
import { passwordGenerator } from '../../render/manifests/secret-delivery';
import { workloadsOf } from '../../workloads/catalogue';
import { homeserverSecretDeclarations } from '../../workloads/secrets';
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
    expect(email?.source).toEqual({ kind: 'provided', values: { password: expect.any(String) } });
    const template = email?.files['email.yaml']?.template ?? '';
    expect(template).toContain('smtp_pass: {{ .password | toJson }}');
    expect(scanText(template, 'email.yaml')).toEqual([]);
    const synapse = workloadsOf(fleet, agency).find((w) => w.name === 'synapse');
    expect(synapse?.command).toEqual(expect.arrayContaining(['--config-path', '/secrets/email/email.yaml', '--no-secrets-in-config']));
    expect(synapse?.secretMounts?.map((m) => m.secretName)).toContain('synapse-email');
  });

  it('cover every secret a workload mounts (or its certificate), and only for the compartments allowed to read it', () => {
    for (const homeserver of fleet.homeservers) {
      const declarations = new Map(homeserverSecretDeclarations(homeserver).map((secret) => [secret.name, secret]));
      const certificates = homeserverCertificates(homeserver);
      for (const workload of workloadsOf(fleet, homeserver)) {
        for (const mount of workload.secretMounts ?? []) {
          const secret = declarations.get(mount.secretName);
          const certificate = certificates.find((candidate) => candidate.secretName === mount.secretName);
          expect({ mount: mount.secretName, declared: secret !== undefined || certificate !== undefined }).toEqual({
            mount: mount.secretName,
            declared: true,
          });
          // A certificate's key never leaves the namespace it is issued in: only the workloads serving with it mount it.
          if (certificate)
            expect({ compartment: certificate.compartment, serves: certificate.workloads.includes(workload.name) }).toEqual({
              compartment: workload.compartment,
              serves: true,
            });
          else expect(secret?.consumers).toContain(workload.compartment);
        }
      }
    }
  });

  it('give the LDAP bind password to the directory and the identity provider only, never to Synapse, media or gateway', () => {
    expect(declared.get('ldap-bind')?.consumers).toEqual(['directory', 'identity']);
    const others = fleet.homeservers
      .flatMap((homeserver) => workloadsOf(fleet, homeserver))
      .filter((w) => w.compartment !== 'directory' && w.compartment !== 'identity');
    expect(others.flatMap((w) => w.secretMounts ?? []).map((m) => m.secretName)).not.toContain('ldap-bind');
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

  it('render every file only from values the secret declares (a typo would render an empty file)', () => {
    for (const homeserver of fleet.homeservers) {
      for (const declaration of homeserverSecretDeclarations(homeserver)) {
        for (const [file, spec] of Object.entries(declaration.files)) {
          const references = templateReferences(spec.template);
          expect({ file, references: references.filter((name) => !valueNames(declaration).includes(name)) }).toEqual({
            file,
            references: [],
          });
          // A file without a value is literal text (the database role's name in its basic-auth Secret).
          if (!(declaration.secretType === 'kubernetes.io/basic-auth' && file === 'username')) expect(references.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('generate values with at least 128 bits of entropy (External Secrets Password generator, letters and digits)', () => {
    for (const homeserver of fleet.homeservers) {
      for (const declaration of homeserverSecretDeclarations(homeserver)) {
        if (declaration.source.kind !== 'generated') continue;
        for (const value of Object.values(declaration.source.values)) {
          const spec = passwordGenerator(value.length, 'ns', {}).spec as { length: number; digits: number; symbols: number };
          expect(spec.symbols).toBe(0);
          expect(passwordEntropyBits(spec.length, spec.digits)).toBeGreaterThanOrEqual(128);
        }
      }
    }
  });

  it('generate the values it can, and ask operators only for what comes from outside (SMTP, S3, backup store and its encryption keys, external LDAP, directory entries)', () => {
    const provided = fleet.homeservers.flatMap((homeserver) =>
      homeserverSecretDeclarations(homeserver)
        .filter((d) => d.source.kind === 'provided')
        .map((d) => d.name),
    );
    expect(new Set(provided)).toEqual(
      new Set(['synapse-email', 'ldap-bootstrap', 'media-s3', 'postgres-backup-s3', 'store-backup-encryption']),
    );
  });
});
