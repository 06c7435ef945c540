/**
 * Keycloak for the tests: the Quarkus distribution from Maven Central at the deployed version,
 * checked against the sha256 pinned here (Central's own .sha1 and .sha256 agree with it), unpacked
 * once per machine into the tool cache, and one `kc.sh build` per set of build options (the
 * build rewrites lib/quarkus, so each option set gets its own copy). Everything is built under
 * the cache lock (cache-lock.ts) and published by one rename, so concurrent jest workers are safe.
 *
 * A run never writes into the cached copies: `keycloakRunHome` lays out a home of its own whose
 * bin/ is a copy and whose lib/, themes/ and providers/ link to the built copy, with its own
 * conf/ and data/ (Keycloak writes data/tmp and its transaction log there), as the image's
 * /opt/keycloak with a writable data volume would be.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedArtifact, withScratchDirectory } from './cache-lock';
import { toolCache } from './tool-cache';

export const KEYCLOAK_VERSION = '26.7.3';

export const KEYCLOAK_DISTRIBUTION = {
  url: `https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/${KEYCLOAK_VERSION}/keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip`,
  /** Computed from the download; equal to Central's keycloak-quarkus-dist-26.7.3.zip.sha256. */
  sha256: '27a6535553c3cdcd083872ba40629efafb3475e3b758e0c6f691395561dd0f1f',
  /** Central's keycloak-quarkus-dist-26.7.3.zip.sha1, for a reader's cross-check. */
  sha1: '1e21a7f572581692aacb379dbba8413f99b67208',
  topDirectory: `keycloak-${KEYCLOAK_VERSION}`,
} as const;

/** The oldest Java Keycloak 26 runs on. */
export const MINIMUM_JAVA = 21;

export interface JavaRuntime {
  readonly javaHome: string;
  readonly java: string;
  readonly major: number;
  /** The full version from the JDK's `release` file (part of the build hash). */
  readonly version: string;
}

function releaseVersion(javaHome: string): string | undefined {
  try {
    return /^JAVA_VERSION="([^"]+)"/m.exec(fs.readFileSync(path.join(javaHome, 'release'), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function runtimeAt(javaHome: string): JavaRuntime | undefined {
  const java = path.join(javaHome, 'bin', 'java');
  const version = releaseVersion(javaHome);
  if (!version || !fs.existsSync(java)) return undefined;
  const major = Number(/^(?:1\.)?(\d+)/.exec(version)?.[1] ?? 0);
  return { javaHome, java, major, version };
}

/** JAVA_HOME when it is Java 21 or newer, else the newest such JDK under /usr/lib/jvm; fails in one line when there is none. */
export function findJava(): JavaRuntime {
  const configured = process.env.JAVA_HOME;
  const fromEnvironment = configured ? runtimeAt(configured) : undefined;
  if (fromEnvironment && fromEnvironment.major >= MINIMUM_JAVA) return fromEnvironment;
  const root = '/usr/lib/jvm';
  const candidates = (fs.existsSync(root) ? fs.readdirSync(root) : [])
    .map((name) => path.join(root, name))
    .filter((directory) => !fs.lstatSync(directory).isSymbolicLink())
    .map(runtimeAt)
    .filter((runtime): runtime is JavaRuntime => runtime !== undefined && runtime.major >= MINIMUM_JAVA)
    .sort((a, b) => b.major - a.major || a.javaHome.localeCompare(b.javaHome));
  const newest = candidates[0];
  if (!newest)
    throw new Error(
      `Keycloak ${KEYCLOAK_VERSION} needs Java ${MINIMUM_JAVA}+: none in JAVA_HOME (${configured ?? 'unset'}) or under ${root} (install e.g. temurin-25-jdk)`,
    );
  return newest;
}

function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  const result = spawnSync(command, [...args], {
    encoding: 'utf8',
    env: options.env ?? process.env,
    timeout: options.timeoutMs ?? 10 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function fileSha256(file: string): string {
  const hash = createHash('sha256');
  const descriptor = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1024 * 1024);
    for (let read = fs.readSync(descriptor, buffer); read > 0; read = fs.readSync(descriptor, buffer))
      hash.update(buffer.subarray(0, read));
  } finally {
    fs.closeSync(descriptor);
  }
  return hash.digest('hex');
}

/** The unpacked, unbuilt distribution (downloaded and checked on first use; about 180 MB). */
export function keycloakDistribution(): string {
  const cache = toolCache('keycloak');
  return cachedArtifact(
    path.join(cache, `${KEYCLOAK_DISTRIBUTION.topDirectory}-dist-${KEYCLOAK_DISTRIBUTION.sha256.slice(0, 16)}`),
    (staging) =>
      withScratchDirectory(cache, 'download', (scratch) => {
        const archive = path.join(scratch, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip`);
        run('curl', ['--fail', '--silent', '--show-error', '--location', '--retry', '3', '--output', archive, KEYCLOAK_DISTRIBUTION.url]);
        const actual = fileSha256(archive);
        if (actual !== KEYCLOAK_DISTRIBUTION.sha256)
          throw new Error(`${KEYCLOAK_DISTRIBUTION.url} has sha256 ${actual}, expected ${KEYCLOAK_DISTRIBUTION.sha256}`);
        if (!fs.existsSync('/usr/bin/unzip')) throw new Error("unzip is missing: install Debian's unzip (apt-get install unzip)");
        const unpacked = path.join(scratch, 'unpacked');
        run('/usr/bin/unzip', ['-q', archive, '-d', unpacked]);
        const top = path.join(unpacked, KEYCLOAK_DISTRIBUTION.topDirectory);
        if (!fs.existsSync(path.join(top, 'bin', 'kc.sh')))
          throw new Error(`the archive did not unpack into ${KEYCLOAK_DISTRIBUTION.topDirectory}/bin/kc.sh`);
        fs.renameSync(top, staging);
      }),
  );
}

/** Keycloak's build options (`kc.sh build --<name>=<value>`), e.g. `{ db: 'postgres', 'http-relative-path': '/auth' }`. */
export type KeycloakBuildOptions = Readonly<Record<string, string>>;

/** `--name=value` for each option, in name order; names are Keycloak option names (lower case, dashes). */
export function buildArguments(options: KeycloakBuildOptions): string[] {
  return Object.keys(options)
    .sort()
    .map((name) => {
      if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`not a Keycloak option name: ${JSON.stringify(name)}`);
      return `--${name}=${options[name]}`;
    });
}

export interface BuiltKeycloak {
  /** The built distribution (read-only by convention: runs use `keycloakRunHome`). */
  readonly home: string;
  /** The Java >= 21 to run it with, and its home (kc.sh reads JAVA_HOME). */
  readonly java: string;
  readonly javaHome: string;
  readonly version: string;
  readonly buildOptions: KeycloakBuildOptions;
}

/** The distribution built with `buildOptions` (one cached copy per version, archive, options and Java version). */
export function ensureKeycloak(buildOptions: KeycloakBuildOptions): BuiltKeycloak {
  const java = findJava();
  const args = buildArguments(buildOptions);
  const key = createHash('sha256')
    .update(JSON.stringify({ version: KEYCLOAK_VERSION, archive: KEYCLOAK_DISTRIBUTION.sha256, args, java: java.version }))
    .digest('hex')
    .slice(0, 16);
  const distribution = keycloakDistribution();
  const home = cachedArtifact(toolCache('keycloak', `${KEYCLOAK_DISTRIBUTION.topDirectory}-built-${key}`), (staging) => {
    run('cp', ['-a', distribution, staging]);
    const started = Date.now();
    run(path.join(staging, 'bin', 'kc.sh'), ['build', ...args], { env: { ...process.env, JAVA_HOME: java.javaHome } });
    const buildMs = Date.now() - started;
    // What the build left in data/ (a temporary directory) belongs to no run.
    fs.rmSync(path.join(staging, 'data'), { recursive: true, force: true });
    fs.writeFileSync(path.join(staging, 'build-options.json'), `${JSON.stringify({ args, java: java.version, buildMs }, null, 2)}\n`);
  });
  return { home, java: java.java, javaHome: java.javaHome, version: KEYCLOAK_VERSION, buildOptions };
}

/** How long `kc.sh build` took when this copy was built (recorded in the copy), or undefined for copies without the record. */
export function recordedBuildMs(keycloak: BuiltKeycloak): number | undefined {
  try {
    const recorded = JSON.parse(fs.readFileSync(path.join(keycloak.home, 'build-options.json'), 'utf8')) as { buildMs?: unknown };
    return typeof recorded.buildMs === 'number' ? recorded.buildMs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A home for one server at `directory` (created): bin/ copied (kc.sh finds its home from its
 * own resolved path), lib/, themes/ and providers/ linked to the built copy, conf/ copied and
 * data/ empty, both the run's own. Returns `directory`.
 */
export function keycloakRunHome(keycloak: BuiltKeycloak, directory: string): string {
  fs.mkdirSync(directory, { recursive: true });
  for (const entry of ['bin', 'conf']) fs.cpSync(path.join(keycloak.home, entry), path.join(directory, entry), { recursive: true });
  for (const entry of ['lib', 'themes', 'providers']) fs.symlinkSync(path.join(keycloak.home, entry), path.join(directory, entry));
  fs.mkdirSync(path.join(directory, 'data'), { recursive: true });
  return directory;
}

/** The environment kc.sh needs: JAVA_HOME of a Java >= 21 (the machine's default java may be older). */
export function keycloakEnvironment(keycloak: BuiltKeycloak): Record<string, string> {
  return { JAVA_HOME: keycloak.javaHome };
}
