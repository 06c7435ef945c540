/**
 * cert-manager's controller, webhook and cainjector. The Go module proxy serves the root module
 * github.com/cert-manager/cert-manager (pkg/, internal/, deploy/) but not its cmd/ modules, so
 * this project's own small mains (test/tools/engine-cert-manager/<component>/main.go) are built
 * inside a scratch copy of the downloaded module: internal/ packages are importable only from
 * within it. Stamped like upstream's release build (pkg/util.AppVersion, AppGitCommit).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../../../config/project-root';
import { downloadGoModule, goBuild } from '../../../support/go-build';
import { crdFilesIn } from '../../../support/kube-tools';
import { buildKey, cachedEngineBinary, filesDigest, inScratch } from './build';

export const CERT_MANAGER_MODULE = 'github.com/cert-manager/cert-manager';
export const CERT_MANAGER_VERSION = 'v1.21.1';
/** The commit of the v1.21.1 tag. */
const CERT_MANAGER_COMMIT = '24e33194fb39488eff2bbf10c6dc640f407cad44';

export const CERT_MANAGER_COMPONENTS = ['controller', 'webhook', 'cainjector'] as const;
export type CertManagerComponent = (typeof CERT_MANAGER_COMPONENTS)[number];

/** Where the mains go inside the module copy: a directory upstream does not have. */
const MAINS_IN_MODULE = 'zz-engine-proof';

const LDFLAGS = `-s -w -X ${CERT_MANAGER_MODULE}/pkg/util.AppVersion=${CERT_MANAGER_VERSION} -X ${CERT_MANAGER_MODULE}/pkg/util.AppGitCommit=${CERT_MANAGER_COMMIT}`;

function mainsDirectory(): string {
  return path.join(projectRoot(), 'test', 'tools', 'engine-cert-manager');
}

/** A writable copy of the (read-only) module cache directory. */
function copyModule(source: string, target: string): void {
  fs.cpSync(source, target, { recursive: true });
  const visit = (directory: string) => {
    fs.chmodSync(directory, 0o755);
    for (const entry of fs.readdirSync(directory, { withFileTypes: true }))
      if (entry.isDirectory()) visit(path.join(directory, entry.name));
  };
  visit(target);
}

/** Builds (once per machine) one cert-manager component. */
export function ensureCertManagerBinary(component: CertManagerComponent): string {
  const main = path.join(component, 'main.go');
  const key = buildKey([`${CERT_MANAGER_MODULE}@${CERT_MANAGER_VERSION}`, filesDigest(mainsDirectory(), [main]), LDFLAGS]);
  return cachedEngineBinary(`cert-manager-${component}`, key, (output) =>
    inScratch('cert-manager', (scratch) => {
      const module = path.join(scratch, 'cert-manager');
      copyModule(downloadGoModule(CERT_MANAGER_MODULE, CERT_MANAGER_VERSION), module);
      fs.mkdirSync(path.join(module, MAINS_IN_MODULE, component), { recursive: true });
      fs.copyFileSync(path.join(mainsDirectory(), main), path.join(module, MAINS_IN_MODULE, main));
      goBuild({ cwd: module, mainPackage: `./${MAINS_IN_MODULE}/${component}`, output, mode: 'readonly', ldflags: LDFLAGS });
    }),
  );
}

export type CertManagerBinaries = Readonly<Record<CertManagerComponent, string>>;

export function ensureCertManagerBinaries(): CertManagerBinaries {
  return {
    controller: ensureCertManagerBinary('controller'),
    webhook: ensureCertManagerBinary('webhook'),
    cainjector: ensureCertManagerBinary('cainjector'),
  };
}

/** The module's plain CRDs (deploy/crds/*.yaml, the same the chart templates), sorted absolute paths. */
export function certManagerCrdFiles(): string[] {
  return crdFilesIn(path.join(downloadGoModule(CERT_MANAGER_MODULE, CERT_MANAGER_VERSION), 'deploy', 'crds'));
}
