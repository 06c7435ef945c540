/**
 * versitygw, an S3-compatible server, standing in for a site's on-premises object store: built
 * once per machine from its Go module through the tools module test/tools/versitygw (complete
 * go.mod/go.sum, -mod=readonly), serving HTTPS with a certificate from the test CA, its posix
 * backend in a directory of the run, and root access keys generated for each run.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';
import { cachedArtifact } from './cache-lock';
import { goBuild, goVersion, keepBuild, toolCacheRoot } from './go-build';
import type { Sandbox, SandboxProcess } from './sandbox';
import { issueServerCertificate, type TestCa } from './test-ca';

export const VERSITYGW_VERSION = 'v1.8.0';
const MODULE_DIRECTORY = path.join(projectRoot(), 'test', 'tools', 'versitygw');
const MAIN_PACKAGE = 'github.com/versity/versitygw/cmd/versitygw';

/** The cached binary, built on first use (a few minutes cold, in the machine's Go build slot). */
export function versitygwBinary(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(fs.readFileSync(path.join(MODULE_DIRECTORY, file))).update('\0');
  hash.update(MAIN_PACKAGE).update('\0').update(goVersion());
  const binary = path.join(toolCacheRoot(), 'bin', `versitygw-${hash.digest('hex').slice(0, 16)}`);
  cachedArtifact(binary, (staging) => goBuild({ cwd: MODULE_DIRECTORY, mainPackage: MAIN_PACKAGE, output: staging, mode: 'readonly' }));
  keepBuild(binary, 'versitygw');
  return binary;
}

export interface ObjectStoreKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface ObjectStore {
  readonly process: SandboxProcess;
  readonly keys: ObjectStoreKeys;
  /** The posix backend's root: one directory per bucket. */
  readonly root: string;
}

/**
 * Starts versitygw inside `sandbox` at `address`:443 for `dnsName` (a certificate from `ca`),
 * with fresh root keys. The keys reach it through its environment, never its arguments.
 */
export function startObjectStore(
  sandbox: Sandbox,
  options: { directory: string; address: string; dnsName: string; ca: TestCa },
): ObjectStore {
  const binary = versitygwBinary();
  const root = path.join(options.directory, 'objects');
  const tls = path.join(options.directory, 'tls');
  fs.mkdirSync(root, { recursive: true });
  fs.mkdirSync(tls, { recursive: true });
  const certificate = issueServerCertificate(options.ca, options.dnsName, tls);
  const keys: ObjectStoreKeys = {
    accessKeyId: randomBytes(10).toString('hex').toUpperCase(),
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  const process = sandbox.start(
    'object-store',
    binary,
    ['--port', `${options.address}:443`, '--cert', certificate.certificate, '--key', certificate.key, 'posix', root],
    { env: { ROOT_ACCESS_KEY_ID: keys.accessKeyId, ROOT_SECRET_ACCESS_KEY: keys.secretAccessKey } },
  );
  return { process, keys, root };
}
