/**
 * The platform's lifetimes as the Go durations cert-manager and External Secrets read:
 * certificate lifetimes and renewal, and how often delivered secrets are re-read.
 */
import type { DeploymentConfig } from '../../config/deployment-config';
import { parseDuration } from '../../config/durations';
import type { CertificateLifetimes } from './certificates';
import { goDuration } from './kubernetes-object';

/** Every leaf certificate (LDAPS, PostgreSQL, Synapse listeners, OpenBao, gateway). */
export function leafLifetimes(config: DeploymentConfig): CertificateLifetimes {
  const { lifetime, renewBefore } = config.platform.certificates;
  return { duration: goDuration(parseDuration(lifetime) ?? 0), renewBefore: goDuration(parseDuration(renewBefore) ?? 0) };
}

/** The internal root CA: renewed in the last fifth of its life; its key is kept, so nothing needs re-issuing. */
export function caLifetimes(config: DeploymentConfig): CertificateLifetimes {
  const lifetime = parseDuration(config.platform.certificates.caLifetime) ?? 0;
  return { duration: goDuration(lifetime), renewBefore: goDuration(Math.round(lifetime / 5 / 3_600_000) * 3_600_000) };
}

/** How often External Secrets re-reads values (ExternalSecrets) and re-checks generated ones (PushSecrets). */
export function secretRefreshInterval(config: DeploymentConfig): string {
  return goDuration(parseDuration(config.platform.secrets.refreshInterval) ?? 0);
}
