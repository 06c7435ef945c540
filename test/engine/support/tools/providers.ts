/**
 * The Terraform providers the synthesized stacks pin, built from their release-tag sources
 * (sources.ts; the Go module proxy does not serve these modules) as their release workflow does
 * (`-trimpath`, `-s -w -X main.Version=<version>`), dependencies from the Go module proxy,
 * and laid out as an OpenTofu filesystem mirror (the unpacked layout).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedArtifact } from '../../../support/cache-lock';
import { goBuild } from '../../../support/go-build';
import { toolCache } from '../../../support/tool-cache';
import { buildKey, cachedEngineBinary, inScratch } from './build';
import { SOURCE_ARCHIVES, unpackArchive, type SourceArchive } from './sources';

interface PinnedProvider {
  readonly type: string;
  readonly version: string;
  /** The Go module of the provider's source, for messages. */
  readonly module: string;
  readonly tag: string;
  readonly archive: SourceArchive;
}

/** The providers the synthesized stacks pin (terraform.required_providers), by full source address. */
export const PINNED_PROVIDERS = {
  'registry.opentofu.org/hashicorp/kubernetes': {
    type: 'kubernetes',
    version: '2.38.0',
    module: 'github.com/hashicorp/terraform-provider-kubernetes',
    tag: 'v2.38.0',
    archive: SOURCE_ARCHIVES.kubernetesProvider,
  },
  'registry.opentofu.org/hashicorp/helm': {
    type: 'helm',
    version: '3.1.1',
    module: 'github.com/hashicorp/terraform-provider-helm',
    tag: 'v3.1.1',
    archive: SOURCE_ARCHIVES.helmProvider,
  },
} as const satisfies Record<string, PinnedProvider>;

export type ProviderAddress = keyof typeof PINNED_PROVIDERS;

/** OpenTofu's platform name for the host, e.g. linux_amd64. */
export function tofuPlatform(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  if (arch === undefined || process.platform !== 'linux')
    throw new Error(`the engine proof builds for linux amd64/arm64, not ${process.platform} ${process.arch}`);
  return `linux_${arch}`;
}

function providerLdflags(provider: PinnedProvider): string {
  return `-s -w -X main.Version=${provider.version}`;
}

/** Builds (once per machine) one provider binary. */
export function ensureProviderBinary(address: ProviderAddress): string {
  const provider: PinnedProvider = PINNED_PROVIDERS[address];
  const key = buildKey([provider.archive.sha256, providerLdflags(provider)]);
  return cachedEngineBinary(`terraform-provider-${provider.type}_v${provider.version}`, key, (output) =>
    inScratch(`terraform-provider-${provider.type}`, (scratch) => {
      const source = unpackArchive(provider.archive, scratch);
      goBuild({ cwd: source, mainPackage: '.', output, mode: 'readonly', ldflags: providerLdflags(provider) });
    }),
  );
}

/** The mirror path of a provider binary, relative to the mirror directory. */
export function mirrorPath(address: ProviderAddress): string {
  const provider: PinnedProvider = PINNED_PROVIDERS[address];
  return path.join(address, provider.version, tofuPlatform(), `terraform-provider-${provider.type}_v${provider.version}`);
}

/**
 * A filesystem mirror directory holding exactly the pinned providers:
 * `<dir>/registry.opentofu.org/hashicorp/kubernetes/2.38.0/linux_amd64/terraform-provider-kubernetes_v2.38.0`,
 * same for helm. Built once per machine; treat it as read-only.
 */
export function ensureProviderMirror(): string {
  const addresses = Object.keys(PINNED_PROVIDERS) as ProviderAddress[];
  const binaries = addresses.map((address) => ensureProviderBinary(address));
  const mirror = toolCache('engine', `provider-mirror-${buildKey(binaries.map((binary) => path.basename(binary)))}`);
  return cachedArtifact(mirror, (staging) => {
    addresses.forEach((address, index) => {
      const target = path.join(staging, mirrorPath(address));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(binaries[index] ?? '', target);
      fs.chmodSync(target, 0o755);
    });
  });
}
