/** The shape of a custom resource as this project renders it (plain data, applied with kubernetes_manifest). */

export type ManifestValue = string | number | boolean | null | readonly ManifestValue[] | { readonly [key: string]: ManifestValue };

export interface ObjectMetadata {
  readonly name: string;
  /** Absent for cluster-scoped kinds (ClusterIssuer, Bundle). */
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMetadata;
  readonly spec: { readonly [key: string]: ManifestValue };
}

export const API_VERSIONS = {
  certManager: 'cert-manager.io/v1',
  trustManager: 'trust.cert-manager.io/v1alpha1',
  externalSecrets: 'external-secrets.io/v1',
  pushSecret: 'external-secrets.io/v1alpha1',
  generators: 'generators.external-secrets.io/v1alpha1',
  monitoring: 'monitoring.coreos.com/v1',
  cloudnativePg: 'postgresql.cnpg.io/v1',
  barmanCloud: 'barmancloud.cnpg.io/v1',
} as const;

/** cert-manager and External Secrets take Go durations: whole hours keep them readable. */
export function goDuration(milliseconds: number): string {
  const hours = milliseconds / 3_600_000;
  if (Number.isInteger(hours)) return `${hours}h`;
  const minutes = milliseconds / 60_000;
  if (Number.isInteger(minutes)) return `${minutes}m`;
  return `${Math.ceil(milliseconds / 1000)}s`;
}
