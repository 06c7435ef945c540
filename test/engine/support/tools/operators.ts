/**
 * The operators' binaries, each built once per machine:
 *   - cert-manager v1.21.1 (cert-manager.ts);
 *   - trust-manager v0.22.1, from its Go module with the module's own go.mod (`go install`);
 *   - External Secrets 2.9.0 (`/bin/external-secrets` of its image: `webhook` and
 *     `certcontroller` are subcommands), from its release-tag source, with only what this
 *     deployment uses compiled in (EXTERNAL_SECRETS_TAGS and the generator overlay);
 *   - OpenBao 2.6.2 (`bao`), from its release-tag source, its five KMS wrapper modules the
 *     Go module proxy does not serve replaced by their unpacked sources; web UI left out;
 *   - CloudNativePG 1.30.0 (`/manager` of its image: the operator is its `controller`
 *     subcommand), from its release-tag source;
 *   - the barman-cloud plugin v0.13.0 (`/manager` of its image), from its Go module (go-tools.ts).
 * Builds happen in scratch directories under the tool cache, never in the repository.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../../../config/project-root';
import { goBuild, goInstall, runGo, goEnvironment } from '../../../support/go-build';
import { buildKey, cachedEngineBinary, filesDigest, inScratch } from './build';
import { ensureCertManagerBinaries } from './cert-manager';
import { SOURCE_ARCHIVES, unpackArchive } from './sources';

export const TRUST_MANAGER_MODULE = 'github.com/cert-manager/trust-manager';
export const TRUST_MANAGER_VERSION = 'v0.22.1';
export const EXTERNAL_SECRETS_VERSION = '2.9.0';
export const OPENBAO_VERSION = '2.6.2';
const OPENBAO_COMMIT = 'dd9c19c37a878cf4a81b18efb8d6f0599c7da923';

/** Builds (once per machine) trust-manager's controller + webhook binary. */
export function ensureTrustManager(): string {
  const packagePath = `${TRUST_MANAGER_MODULE}/cmd/trust-manager`;
  return cachedEngineBinary('trust-manager', buildKey([`${packagePath}@${TRUST_MANAGER_VERSION}`]), (output) =>
    inScratch('trust-manager', (scratch) => {
      goInstall({ packagePath, version: TRUST_MANAGER_VERSION, gobin: scratch });
      fs.renameSync(path.join(scratch, 'trust-manager'), output);
    }),
  );
}

/**
 * External Secrets registers each provider behind a build tag (pkg/register/<provider>.go:
 * `//go:build <provider> || all_providers`; upstream builds `all_providers`). This deployment's
 * SecretStores use `provider.vault` only (OpenBao speaks Vault's API; PushSecret writes go
 * through the same provider), so only `vault` is compiled in.
 */
export const EXTERNAL_SECRETS_TAGS = ['vault'] as const;

/**
 * Generators are registered without tags (pkg/register/generators.go, every cloud SDK); the
 * overlay swaps that file for ours, which registers only Password, the one generator used.
 */
const GENERATOR_REGISTRATION = path.join('test', 'tools', 'engine-external-secrets', 'generators.go');

/** Builds (once per machine) External Secrets' operator binary (controller, `webhook`, `certcontroller`). */
export function ensureExternalSecrets(): string {
  const archive = SOURCE_ARCHIVES.externalSecrets;
  const key = buildKey([archive.sha256, EXTERNAL_SECRETS_TAGS.join(','), filesDigest(projectRoot(), [GENERATOR_REGISTRATION])]);
  return cachedEngineBinary('external-secrets', key, (output) =>
    inScratch('external-secrets', (scratch) => {
      const source = unpackArchive(archive, scratch);
      const overlay = path.join(scratch, 'overlay.json');
      fs.writeFileSync(
        overlay,
        JSON.stringify({
          Replace: { [path.join(source, 'pkg', 'register', 'generators.go')]: path.join(projectRoot(), GENERATOR_REGISTRATION) },
        }),
      );
      goBuild({ cwd: source, mainPackage: '.', output, mode: 'readonly', tags: EXTERNAL_SECRETS_TAGS, overlay });
    }),
  );
}

/** The KMS wrapper modules OpenBao 2.6.2 requires that the Go module proxy does not serve (sources in the wrappers archive). */
const OPENBAO_REPLACED_WRAPPERS = ['alicloudkms', 'awskms', 'azurekeyvault', 'gcpckms', 'ocikms'] as const;

/** As OpenBao's release build stamps it (goreleaser.linux.yaml), minus the `ui` tag: the web UI is not in the source snapshot. */
const OPENBAO_LDFLAGS = `-X github.com/openbao/openbao/version.fullVersion=${OPENBAO_VERSION} -X github.com/openbao/openbao/version.GitCommit=${OPENBAO_COMMIT}`;

/** Builds (once per machine) OpenBao's `bao` (server and CLI). */
export function ensureOpenBao(): string {
  const key = buildKey([
    SOURCE_ARCHIVES.openbao.sha256,
    SOURCE_ARCHIVES.openbaoKmsWrappers.sha256,
    `relative replacements of ${OPENBAO_REPLACED_WRAPPERS.join(',')}`,
    OPENBAO_LDFLAGS,
  ]);
  return cachedEngineBinary('bao', key, (output) =>
    inScratch('openbao', (scratch) => {
      const source = unpackArchive(SOURCE_ARCHIVES.openbao, scratch);
      const wrappers = unpackArchive(SOURCE_ARCHIVES.openbaoKmsWrappers, scratch);
      // Relative to the module: the build info records `=> ../go-kms-wrapping-wrappers/<name>`, not this scratch directory.
      const replacements = OPENBAO_REPLACED_WRAPPERS.map(
        (name) => `-replace=github.com/openbao/go-kms-wrapping/wrappers/${name}/v2=${path.join(path.relative(source, wrappers), name)}`,
      );
      runGo(['mod', 'edit', ...replacements], source, goEnvironment('readonly'));
      goBuild({ cwd: source, mainPackage: '.', output, mode: 'readonly', ldflags: OPENBAO_LDFLAGS });
    }),
  );
}

export const CLOUDNATIVE_PG_VERSION = '1.30.0';
const CLOUDNATIVE_PG_COMMIT = '4b5e244a7d031f67e025c83c1555e7726ecbbfa1';
/** As its release build stamps it (.goreleaser.yml); unstamped its commit reads "none". */
const CLOUDNATIVE_PG_LDFLAGS = `-X github.com/cloudnative-pg/cloudnative-pg/pkg/versions.buildVersion=${CLOUDNATIVE_PG_VERSION} -X github.com/cloudnative-pg/cloudnative-pg/pkg/versions.buildCommit=${CLOUDNATIVE_PG_COMMIT.slice(0, 7)}`;

/** Builds (once per machine) CloudNativePG's manager (operator, and the instance manager its pods would run). */
export function ensureCloudnativePg(): string {
  const key = buildKey([SOURCE_ARCHIVES.cloudnativePg.sha256, './cmd/manager', CLOUDNATIVE_PG_LDFLAGS]);
  return cachedEngineBinary('cloudnative-pg', key, (output) =>
    inScratch('cloudnative-pg', (scratch) => {
      const source = unpackArchive(SOURCE_ARCHIVES.cloudnativePg, scratch);
      goBuild({ cwd: source, mainPackage: './cmd/manager', output, mode: 'readonly', ldflags: CLOUDNATIVE_PG_LDFLAGS });
    }),
  );
}

export const BARMAN_CLOUD_MODULE = 'github.com/cloudnative-pg/plugin-barman-cloud';
export const BARMAN_CLOUD_VERSION = 'v0.13.0';
/** The image's /manager: the chart runs its `operator` subcommand (the sidecar image runs `instance`). */
const BARMAN_CLOUD_PACKAGE = `${BARMAN_CLOUD_MODULE}/cmd/manager`;

/** Builds (once per machine) the barman-cloud plugin's manager from its Go module, through its tools module. */
export function ensureBarmanCloud(): string {
  const moduleDirectory = path.join(projectRoot(), 'test', 'tools', 'engine-barman-cloud');
  const key = buildKey([filesDigest(moduleDirectory, ['go.mod', 'go.sum']), BARMAN_CLOUD_PACKAGE, '']);
  return cachedEngineBinary('barman-cloud', key, (output) =>
    goBuild({ cwd: moduleDirectory, mainPackage: BARMAN_CLOUD_PACKAGE, output, mode: 'readonly' }),
  );
}

export interface OperatorBinaries {
  readonly certManagerController: string;
  readonly certManagerWebhook: string;
  readonly certManagerCainjector: string;
  readonly trustManager: string;
  /** One binary: the controller by default, `webhook` and `certcontroller` as subcommands. */
  readonly externalSecrets: string;
  readonly bao: string;
  /** One binary: `controller` is the operator. */
  readonly cloudnativePg: string;
  /** One binary: `operator` is the plugin. */
  readonly barmanCloud: string;
}

/** Builds (once per machine, most useful first) and returns every operator binary. */
export function ensureOperatorBinaries(): OperatorBinaries {
  const certManager = ensureCertManagerBinaries();
  const trustManager = ensureTrustManager();
  const externalSecrets = ensureExternalSecrets();
  const bao = ensureOpenBao();
  const cloudnativePg = ensureCloudnativePg();
  const barmanCloud = ensureBarmanCloud();
  return {
    certManagerController: certManager.controller,
    certManagerWebhook: certManager.webhook,
    certManagerCainjector: certManager.cainjector,
    trustManager,
    externalSecrets,
    bao,
    cloudnativePg,
    barmanCloud,
  };
}
