/**
 * The secret inventory auditors read next to the policy audit: every secret of every
 * homeserver with where its values come from, its OpenBao path, who can read and who can
 * write it, and how a new value reaches the processes; every certificate with its issuer
 * and lifetime. Derived from the same declarations the stacks are built from.
 */
import type { DeploymentConfig } from '../config/deployment-config';
import { homeserverCertificates } from '../model/certificates';
import { homeserverNamespace } from '../model/compartments';
import { platformNames, SECRET_MOUNT } from '../model/platform';
import { deriveOpenBaoAccess, GENERATOR_POLICY, operatorPolicyName, secretPath, type DeploymentSecrets } from '../model/secret-access';
import type { HomeserverSecrets } from '../model/secrets';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The inventory of a deployment whose homeservers declare `secrets` (workloads/secrets.ts). */
export function renderSecretInventory(config: DeploymentConfig, secrets: readonly HomeserverSecrets[], own?: DeploymentSecrets): string {
  const names = platformNames(config.deploymentName);
  const access = deriveOpenBaoAccess(config.deploymentName, secrets, own);
  const lines = [
    '# Secret inventory',
    '',
    `Generated from the secret declarations of deployment \`${config.deploymentName}\`. No value appears here or anywhere in the synthesized output: generated values are created in-cluster by External Secrets and written once into OpenBao (\`${names.openbaoAddress}\`, KV v2 mount \`${SECRET_MOUNT}\`); provided values are written into OpenBao by operators; certificates are issued by cert-manager inside the namespace that serves them.`,
    '',
    `External Secrets re-reads every value every ${config.platform.secrets.refreshInterval}; certificates live ${config.platform.certificates.lifetime} and renew ${config.platform.certificates.renewBefore} before expiry, with a new key each time.`,
    '',
    '## Secrets',
    '',
    '| homeserver | secret | source | OpenBao path | readable by | written by | files | rotation |',
    '|---|---|---|---|---|---|---|---|',
  ];
  // The deployment's own secrets (the secret store's backup keys) sit at `<deployment>/<secret>`, beside the homeservers'.
  const owners = [...secrets, ...(own ? [{ homeserverName: own.deploymentName, declarations: own.declarations }] : [])];
  for (const { homeserverName, declarations } of owners) {
    for (const declaration of declarations) {
      const path = `${SECRET_MOUNT}/${secretPath(homeserverName, declaration.name)}`;
      const readers = access.policies.filter((policy) =>
        policy.rules.some(
          (rule) =>
            rule.path === `${SECRET_MOUNT}/data/${secretPath(homeserverName, declaration.name)}` &&
            rule.capabilities.length === 1 &&
            rule.capabilities[0] === 'read',
        ),
      );
      const writer =
        declaration.source.kind === 'generated'
          ? `generator (\`${GENERATOR_POLICY}\`), once`
          : `operators (\`${operatorPolicyName(homeserverName)}\`)`;
      const source =
        declaration.source.kind === 'generated'
          ? `generated: ${Object.entries(declaration.source.values)
              .map(([name, value]) => `${name} (${value.length} letters and digits)`)
              .join(', ')}`
          : `provided: ${Object.entries(declaration.source.values)
              .map(([name, what]) => `${name} (${what})`)
              .join(', ')}`;
      lines.push(
        `| ${homeserverName} | \`${declaration.name}\` | ${cell(source)} | \`${path}\` | ${readers.map((policy) => `\`${policy.name}\``).join(', ')} | ${writer} | ${Object.keys(
          declaration.files,
        )
          .map((file) => `\`${file}\``)
          .join(', ')} | ${cell(declaration.rotation)} |`,
      );
    }
  }
  lines.push('', '## Certificates', '', '| homeserver | secret | namespace | names | issuer | purpose |', '|---|---|---|---|---|---|');
  for (const homeserver of config.homeservers) {
    for (const certificate of homeserverCertificates(homeserver)) {
      const issuer =
        certificate.issuer.kind === 'internal'
          ? `internal CA (\`${names.internalCaIssuer}\`)`
          : `${certificate.issuer.kind} \`${certificate.issuer.name}\``;
      lines.push(
        `| ${homeserver.name} | \`${certificate.secretName}\` | \`${homeserverNamespace(homeserver.name, certificate.compartment)}\` | ${certificate.dnsNames.map((name) => `\`${name}\``).join(', ')} | ${issuer} | ${cell(certificate.purpose)} |`,
      );
    }
  }
  lines.push('', '## OpenBao roles', '', '| role | service account | namespace | policies |', '|---|---|---|---|');
  for (const role of access.roles)
    lines.push(
      `| \`${role.name}\` | \`${role.serviceAccount}\` | \`${role.namespace}\` | ${role.policies.map((policy) => `\`${policy}\``).join(', ')} |`,
    );
  return `${lines.join('\n')}\n`;
}
