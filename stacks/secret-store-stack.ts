/**
 * The trust root and the secret store: the internal CA (a self-signed root in the
 * cert-manager namespace, and the issuer it backs), the Bundle that puts its certificate
 * into every namespace, OpenBao with a certificate from that CA and a seal key generated
 * in-cluster, and the configurator Job that makes OpenBao's policies and roles equal to the
 * declared ones. Nothing here carries a secret value: keys are created by cert-manager and
 * External Secrets inside the cluster.
 */
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config/deployment-config';
import { HardenedChart } from '../constructs/hardened-chart';
import { HardenedCronJob } from '../constructs/hardened-cron-job';
import { HardenedJob } from '../constructs/hardened-job';
import { Manifest } from '../constructs/manifest';
import { SecretDelivery } from '../constructs/secret-delivery';
import { compartmentLabels } from '../model/compartments';
import { openbaoDnsNames, platformNames, RELEASES } from '../model/platform';
import { deploymentStoreRoleName, SECRET_READER_ACCOUNT } from '../model/secret-access';
import { SIGNING_SEED_LENGTH } from '../model/secrets';
import { platformStackName as stackNameOf } from '../model/stack-names';
import { openbaoValues } from '../render/charts/openbao-values';
import { internalCaIssuer, leafCertificate, rootCaCertificate, selfSignedIssuer, trustBundle } from '../render/manifests/certificates';
import { caLifetimes, leafLifetimes, secretRefreshInterval } from '../render/manifests/lifetimes';
import { passwordGenerator, sealKeySecret } from '../render/manifests/secret-delivery';
import { configuratorWorkload } from '../workloads/platform-workloads';
import { openBaoAccess, ownSecrets } from '../workloads/secrets';
import { secretStoreBackupJob } from '../workloads/store-backups';
import { configureEngine } from './engine-settings';
import { TemplateSafeStack } from './template-safe-stack';

export function secretStoreStackName(config: DeploymentConfig): string {
  return stackNameOf(config.deploymentName, 'secret-store');
}

/** The static seal key: 43 letters and digits, read by OpenBao as raw URL-safe base64 (32 bytes). */
export const SEAL_KEY_LENGTH = SIGNING_SEED_LENGTH;

export class SecretStoreStack extends TemplateSafeStack {
  constructor(scope: Construct, config: DeploymentConfig) {
    const name = secretStoreStackName(config);
    super(scope, name);
    configureEngine(this, name, config, { helm: true });
    const names = platformNames(config.deploymentName);
    const labelsOf = (component: 'cert-manager' | 'openbao') =>
      compartmentLabels('platform', config.deploymentName, { platformComponent: component });

    const bootstrap = new Manifest(this, 'ca-bootstrap-issuer', { object: selfSignedIssuer(names, labelsOf('cert-manager')) });
    const root = new Manifest(this, 'internal-ca-root', {
      object: rootCaCertificate(names, caLifetimes(config), labelsOf('cert-manager')),
      waitForReady: true,
      dependsOn: [bootstrap.resource],
    });
    const issuer = new Manifest(this, 'internal-ca-issuer', {
      object: internalCaIssuer(names, labelsOf('cert-manager')),
      waitForReady: true,
      dependsOn: [root.resource],
    });
    const bundle = new Manifest(this, 'internal-ca-bundle', {
      object: trustBundle(names, config.deploymentName, labelsOf('cert-manager')),
      dependsOn: [root.resource],
    });

    const openbaoNamespace = names.namespaces.openbao;
    const tls = new Manifest(this, 'openbao-tls', {
      object: leafCertificate(
        {
          name: names.openbaoTlsSecret,
          namespace: openbaoNamespace,
          dnsNames: openbaoDnsNames(names),
          issuer: { kind: 'internal' },
          combinedPem: false,
          usages: ['server auth', 'client auth'],
        },
        names,
        leafLifetimes(config),
        labelsOf('openbao'),
      ),
      waitForReady: true,
      dependsOn: [issuer.resource],
    });
    const sealGenerator = new Manifest(this, 'openbao-seal-generator', {
      object: passwordGenerator(SEAL_KEY_LENGTH, openbaoNamespace, labelsOf('openbao')),
    });
    const sealKey = new Manifest(this, 'openbao-seal-key', {
      object: sealKeySecret(names, SEAL_KEY_LENGTH, labelsOf('openbao')),
      waitForReady: true,
      // Deleting it would not delete the key (Orphan, Retain), but a plan that tries is a mistake worth
      // stopping; the key itself lives on with its namespace, which the platform stack protects.
      preventDestroy: true,
      dependsOn: [sealGenerator.resource],
    });

    const openbao = new HardenedChart(this, 'openbao', {
      chart: 'openbao',
      release: RELEASES.openbao,
      namespace: openbaoNamespace,
      pin: config.platform.charts.openbao,
      allowedRepositories: config.platform.charts.allowedRepositories,
      values: openbaoValues(config),
      dependsOn: [tls.resource, sealKey.resource],
    });

    // Accounts operators mint short tokens for, to write the values issued outside the cluster (the
    // SecretStore's reader and the backup job's account come with their constructs below).
    const own = ownSecrets(config);
    const createdElsewhere = new Set([SECRET_READER_ACCOUNT, own.snapshotAccount]);
    const roles = openBaoAccess(config).roles.filter(
      (candidate) => candidate.namespace === openbaoNamespace && !createdElsewhere.has(candidate.serviceAccount),
    );
    for (const role of roles) {
      new ServiceAccountV1(this, `account-${role.serviceAccount}`, {
        metadata: {
          name: role.serviceAccount,
          namespace: openbaoNamespace,
          labels: labelsOf('openbao'),
          annotations: { 'matrix.sovereign/purpose': `login to OpenBao as ${role.name}` },
        },
        automountServiceAccountToken: false,
      });
    }

    const configurator = new HardenedJob(this, 'openbao-configurator', {
      namespace: openbaoNamespace,
      compartmentLabels: labelsOf('openbao'),
      spec: configuratorWorkload(config),
      allowedRegistries: config.images.pullRegistries,
      // OpenBao answers (the release waits for it to be ready) and the CA bundle the Job verifies it with exists.
      dependsOn: [openbao.release, bundle.resource],
    });

    // The secret store's backup: its keys delivered into OpenBao's namespace (the configurator wrote
    // the role that reads them), then the CronJob that snapshots OpenBao and uploads the copy encrypted.
    const delivery = new SecretDelivery(this, 'secret-delivery', {
      namespace: openbaoNamespace,
      homeserverName: config.deploymentName,
      compartment: 'platform',
      role: deploymentStoreRoleName(config.deploymentName),
      declarations: own.declarations,
      names,
      refreshInterval: secretRefreshInterval(config),
      labels: labelsOf('openbao'),
      dependsOn: [configurator.resource],
    });
    new HardenedCronJob(this, 'secret-store-backup', {
      namespace: openbaoNamespace,
      compartmentLabels: labelsOf('openbao'),
      spec: secretStoreBackupJob(config),
      allowedRegistries: config.images.pullRegistries,
      dependsOn: [configurator.resource, bundle.resource, ...delivery.secrets.map((secret) => secret.resource)],
    });
  }
}
