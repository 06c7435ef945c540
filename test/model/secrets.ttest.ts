/**
 * The SMTP secret as External Secrets' own template engine (its Go module) renders it from a
 * password that needs quoting, read back by PyYAML as Synapse reads it: the complete email
 * section, the password intact. The declarations themselves are checked in secrets.test.ts.
 */
import { loadDeploymentConfig } from '../../model/load-config';
import { homeserverSecretDeclarations } from '../../workloads/secrets';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { renderExternalSecretTemplates } from '../support/eso-template';
import { pyYamlLoad } from '../support/python';

// External Secrets' template engine is built once per machine (minutes when cold).
jest.setTimeout(30 * 60_000);

const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);

describe('secret declarations, rendered by the real engine', () => {
  const agency = fleet.homeservers[1]!;
  const declared = new Map(homeserverSecretDeclarations(agency).map((secret) => [secret.name, secret]));

  it('deliver the SMTP settings as a complete email section, the password JSON-quoted', () => {
    const template = declared.get('synapse-email')?.files['email.yaml']?.template ?? '';
    // As External Secrets writes it: the password JSON-quoted, a valid YAML scalar whatever it holds.
    const rendered = renderExternalSecretTemplates({ 'email.yaml': template }, { password: 'pa"ss\\word' })['email.yaml'] ?? '';
    expect(pyYamlLoad(rendered)).toEqual({
      email: expect.objectContaining({
        smtp_host: 'smtp.agency.example.org',
        smtp_port: 587,
        smtp_pass: 'pa"ss\\word',
        require_transport_security: true,
        force_tls: false,
      }),
    });
  });
});
