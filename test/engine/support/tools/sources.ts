/**
 * Upstream sources the Go module proxy does not serve (the Terraform providers, OpenBao,
 * External Secrets 2.x, lk-jwt-service, the chart sources): `git archive` snapshots of release
 * tags, read from the directory ENGINE_SOURCES names and checked against the sha256 pinned here
 * before any use. They are unpacked into scratch directories under the tool cache, never into
 * the repo.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../../../config/project-root';

export const ENGINE_SOURCES_VARIABLE = 'ENGINE_SOURCES';

export interface SourceArchive {
  /** Path inside the ENGINE_SOURCES directory. */
  readonly file: string;
  readonly sha256: string;
  /** The one directory the archive unpacks into. */
  readonly topDirectory: string;
  /** Where it comes from: repository, tag and commit of the snapshot. */
  readonly upstream: string;
}

export const SOURCE_ARCHIVES = {
  kubernetesProvider: {
    file: 'terraform-provider-kubernetes-2.38.0.tar.gz',
    sha256: '19d133ae2fcf431e523ae55cbe741ef7fbfa5854af92055c318c8d339c793df0',
    topDirectory: 'terraform-provider-kubernetes-2.38.0',
    upstream: 'github.com/hashicorp/terraform-provider-kubernetes v2.38.0 (be88f44271050f69d52f410bca388834afedfe71)',
  },
  helmProvider: {
    file: 'terraform-provider-helm-3.1.1.tar.gz',
    sha256: 'a384c8feab115358519f0c91722c7eb646f4f56dee3d3521ad06030258766a48',
    topDirectory: 'terraform-provider-helm-3.1.1',
    upstream: 'github.com/hashicorp/terraform-provider-helm v3.1.1 (1cbf08f6a306ab3cdff6079b87a61c7641b64f3b)',
  },
  openbao: {
    file: 'openbao-2.6.2.tar.gz',
    sha256: 'a33370b606ce9bec755626bc918254e489d291a053145e98622e3b1fda5c7453',
    topDirectory: 'openbao-2.6.2',
    upstream: 'github.com/openbao/openbao v2.6.2 (dd9c19c37a878cf4a81b18efb8d6f0599c7da923), web UI left out',
  },
  openbaoKmsWrappers: {
    file: 'openbao-go-kms-wrapping-wrappers.tar.gz',
    sha256: 'b7007d63f24dfb10e45ccc5f3e9d4138229d2eb035dcc50652ed9d1019574c5a',
    topDirectory: 'go-kms-wrapping-wrappers',
    upstream: 'github.com/openbao/go-kms-wrapping wrappers/{alicloudkms,gcpckms,ocikms} v2.3.0, wrappers/{awskms,azurekeyvault} v2.4.0',
  },
  externalSecrets: {
    file: 'external-secrets-2.9.0.tar.gz',
    sha256: '2a5f3ef75b5a1688e0df6e72983280308f36a4e3a31d411320443577db624667',
    topDirectory: 'external-secrets-2.9.0',
    upstream: 'github.com/external-secrets/external-secrets v2.9.0 (378bdb622ed9712ef4a58370f6a17af033b7d343)',
  },
  lkJwtService: {
    file: 'lk-jwt-service-0.5.0.tar.gz',
    sha256: 'b511cd9cb813e975dc6959ae1a185bc67002e667fdbbac409da83ec1e43e6afc',
    topDirectory: 'lk-jwt-service-0.5.0',
    upstream: 'github.com/element-hq/lk-jwt-service v0.5.0 (199ac87dbbf704320b277aebdf10a6280b18c77d)',
  },
  certManagerChart: {
    file: 'charts/cert-manager-v1.21.1-source.tar.gz',
    sha256: 'a5e5f26c4d89c89831d52579e780c6b9259136642271706d4743351a75acfab2',
    topDirectory: 'cert-manager',
    upstream: 'github.com/cert-manager/cert-manager deploy/charts/cert-manager v1.21.1 (24e33194fb39488eff2bbf10c6dc640f407cad44)',
  },
  trustManagerChart: {
    file: 'charts/trust-manager-v0.22.1-source.tar.gz',
    sha256: '02d9127ddd4547f3cc4d404d012406379899cdbec201ad9927da20a2138e4bcc',
    topDirectory: 'trust-manager',
    upstream: 'github.com/cert-manager/trust-manager deploy/charts/trust-manager v0.22.1 (3b91d5d448a0edf4fed012ea82a809a939ce31f0)',
  },
  externalSecretsChart: {
    file: 'charts/external-secrets-v2.9.0-source.tar.gz',
    sha256: '24f0742bf3b5e10a9d8b9641ae07928f23eb183503d6255f2d5ff54d9c218e05',
    topDirectory: 'external-secrets',
    upstream:
      'github.com/external-secrets/external-secrets deploy/charts/external-secrets v2.9.0 (378bdb622ed9712ef4a58370f6a17af033b7d343)',
  },
  openbaoChart: {
    file: 'charts/openbao-helm-openbao-0.29.0-source.tar.gz',
    sha256: '822ef4b22600dc7a11787b1d9465be140efad34ad2204291b84f7989b51c8d90',
    topDirectory: 'openbao',
    upstream: 'github.com/openbao/openbao-helm charts/openbao openbao-0.29.0 (8f7b10bb31f19a88f19a68056c3ec999d03515be)',
  },
  cloudnativePg: {
    file: 'cloudnative-pg-1.30.0.tar.gz',
    sha256: 'fad9d9b5f47dd490f3f6e3967ddf710d6d1c69dadcc2f17c054ba20a001ab524',
    topDirectory: 'cloudnative-pg-1.30.0',
    upstream: 'github.com/cloudnative-pg/cloudnative-pg v1.30.0 (4b5e244a7d031f67e025c83c1555e7726ecbbfa1), docs and e2e left out',
  },
  cloudnativePgChart: {
    file: 'charts/cloudnative-pg-chart-v0.29.0-source.tar.gz',
    sha256: 'd1a4eb404980c51c37b3b601387cafecabdc0555fcaf3842f7b6adf861ddd897',
    topDirectory: 'cloudnative-pg',
    upstream: 'github.com/cloudnative-pg/charts charts/cloudnative-pg cloudnative-pg-v0.29.0 (d1b5ad60cee2d9432a9cc05627b42a8d8dc7bbae)',
  },
  barmanCloudChart: {
    file: 'charts/plugin-barman-cloud-chart-v0.7.0-source.tar.gz',
    sha256: '6575447870c56f84bfcd65644cadd4334eab5e27accd66733c25b22176849b1f',
    topDirectory: 'plugin-barman-cloud',
    upstream:
      'github.com/cloudnative-pg/charts charts/plugin-barman-cloud plugin-barman-cloud-v0.7.0 (83bd9c59514cb7ff3692049d85ba604dcb458700)',
  },
} as const satisfies Record<string, SourceArchive>;

/**
 * The directory of the upstream source archives: ENGINE_SOURCES, by default the nearest
 * `shared/third-party` beside the checkout or beside one of its parents (a CI checkout may sit
 * deeper than a developer's).
 */
export function engineSourcesDirectory(checkout = projectRoot()): string {
  const configured = process.env[ENGINE_SOURCES_VARIABLE];
  if (configured !== undefined && configured !== '') return path.resolve(configured);
  const beside = (directory: string) => path.join(path.dirname(directory), 'shared', 'third-party');
  for (let directory = checkout; directory !== path.dirname(directory); directory = path.dirname(directory)) {
    if (fs.existsSync(beside(directory))) return beside(directory);
  }
  return beside(checkout);
}

const verified = new Map<string, string>();

/** The archive's path, after checking its sha256; a missing or different file fails in one line naming both. */
export function verifiedArchive(archive: SourceArchive): string {
  const file = path.join(engineSourcesDirectory(), archive.file);
  if (verified.get(file) === archive.sha256) return file;
  const where = `${ENGINE_SOURCES_VARIABLE} (${engineSourcesDirectory()}) must hold ${archive.file} with sha256 ${archive.sha256}: ${archive.upstream}`;
  if (!fs.existsSync(file)) throw new Error(`${archive.file} is missing: ${where}`);
  const actual = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  if (actual !== archive.sha256) throw new Error(`${archive.file} has sha256 ${actual}, expected ${archive.sha256}: ${where}`);
  verified.set(file, archive.sha256);
  return file;
}

/** Unpacks a verified archive into `directory`; returns the path of its top directory there. */
export function unpackArchive(archive: SourceArchive, directory: string): string {
  const file = verifiedArchive(archive);
  const result = spawnSync('tar', ['-xzf', file, '-C', directory, '--no-same-owner', '--no-same-permissions'], {
    encoding: 'utf8',
    timeout: 5 * 60_000,
  });
  if (result.status !== 0) throw new Error(`tar -xzf ${archive.file} failed: ${result.stderr}`);
  const top = path.join(directory, archive.topDirectory);
  if (!fs.statSync(top, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`${archive.file} did not unpack into ${archive.topDirectory}/`);
  return top;
}
