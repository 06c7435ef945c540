/**
 * How one container runs: in its pod's network namespace (`ip netns exec`), in a bubblewrap
 * sandbox holding the image's own files (the binaries built from source, at the image's
 * paths) on the image's base, and the pod's volumes at their mount paths; the root is
 * read-only when the container asks for it. A `static` image (distroless: cert-manager,
 * trust-manager, External Secrets) has nothing else: no shell, no /usr. An `os` image
 * (OpenBao's Alpine) stands on the machine's /usr and /etc instead of its own. The process
 * gets its own PID, IPC and UTS namespaces and the pod's hostname, and runs as the
 * container's user and groups with no capabilities and no_new_privs (test/tools/engine-run-as),
 * the way a restricted pod runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Container, Pod } from './pod-types';
import type { MaterializedVolume } from './volumes';

/** What an image brings: its entrypoint and files, its default user. The binaries are built from source. */
export interface ImageRuntime {
  /** `static`: only the image's files (a distroless image); `os`: on the machine's /usr and /etc. */
  readonly base: 'static' | 'os';
  readonly entrypoint: readonly string[];
  readonly cmd?: readonly string[];
  /** Container path → host file. */
  readonly files: Readonly<Record<string, string>>;
  readonly user: number;
  readonly group: number;
  readonly workingDir?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** Maps an image reference to what runs for it; undefined when the tier cannot run that image. */
export type ImageCatalogue = (image: string) => ImageRuntime | undefined;

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ContainerPlan {
  readonly argv: readonly string[];
  readonly user: number;
  readonly group: number;
}

export interface SandboxFiles {
  readonly hosts: string;
  readonly resolvConf: string;
  /** The static run-as helper (test/tools/engine-run-as). */
  readonly runAs: string;
}

/** Where the run-as helper sits inside every sandbox (outside any image path). */
const RUN_AS = '/.engine-proof/run-as';

/** The argv the container runs, as the kubelet derives it from command/args and the image. */
export function containerArgv(container: Container, image: ImageRuntime): string[] {
  if (container.command) return [...container.command, ...(container.args ?? [])];
  return [...image.entrypoint, ...(container.args ?? image.cmd ?? [])];
}

export function containerIdentity(pod: Pod, container: Container, image: ImageRuntime): { user: number; group: number; groups: number[] } {
  const podContext = pod.spec.securityContext ?? {};
  const user = container.securityContext?.runAsUser ?? podContext.runAsUser ?? image.user;
  const group = container.securityContext?.runAsGroup ?? podContext.runAsGroup ?? image.group;
  const groups = [
    ...new Set([group, ...(podContext.fsGroup === undefined ? [] : [podContext.fsGroup]), ...(podContext.supplementalGroups ?? [])]),
  ];
  if ((container.securityContext?.runAsNonRoot ?? podContext.runAsNonRoot) && user === 0)
    throw new Error(`container "${container.name}" must not run as root (runAsNonRoot) but would run as uid 0`);
  return { user, group, groups };
}

/**
 * The full command line: ip netns exec → bwrap → setpriv → the container's argv. `environment`
 * is set inside the sandbox (bwrap --clearenv --setenv), nothing leaks from the runner's.
 */
export function sandboxedCommand(
  pod: Pod,
  container: Container,
  image: ImageRuntime,
  options: {
    netns: string;
    volumes: ReadonlyMap<string, MaterializedVolume>;
    environment: ReadonlyMap<string, string>;
    argv: readonly string[];
    files: SandboxFiles;
  },
): string[] {
  const { user, group, groups } = containerIdentity(pod, container, image);
  const bwrap: string[] = [
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--hostname',
    pod.spec.hostname ?? pod.metadata.name,
  ];
  if (image.base === 'os') {
    bwrap.push(
      '--ro-bind',
      '/usr',
      '/usr',
      '--symlink',
      'usr/bin',
      '/bin',
      '--symlink',
      'usr/sbin',
      '/sbin',
      '--symlink',
      'usr/lib',
      '/lib',
      '--symlink',
      'usr/lib64',
      '/lib64',
    );
    bwrap.push('--ro-bind', '/etc', '/etc');
  } else {
    // A distroless base: CA roots and name resolution files, nothing more.
    bwrap.push('--perms', '0755', '--dir', '/etc', '--perms', '0755', '--dir', '/etc/ssl', '--ro-bind', '/etc/ssl/certs', '/etc/ssl/certs');
  }
  bwrap.push('--ro-bind', options.files.hosts, '/etc/hosts', '--ro-bind', options.files.resolvConf, '/etc/resolv.conf');
  bwrap.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--perms',
    '0755',
    '--dir',
    path.dirname(RUN_AS),
    '--ro-bind',
    options.files.runAs,
    RUN_AS,
  );
  // An image file whose directory exists on the machine (e.g. /usr/local/bin) gets a fresh layer there.
  const shadowed = new Set<string>();
  for (const target of Object.keys(image.files)) {
    const parent = path.dirname(target);
    if (
      image.base === 'os' &&
      (parent.startsWith('/usr/') || parent.startsWith('/etc/')) &&
      fs.existsSync(parent) &&
      !shadowed.has(parent)
    ) {
      shadowed.add(parent);
      bwrap.push('--tmpfs', parent);
    }
  }
  // bwrap would create missing parents as root-only (0700): make them 0755 first, as an image's are.
  const made = new Set<string>(['/', '/usr', '/etc', '/etc/ssl', '/proc', '/dev', path.dirname(RUN_AS), ...shadowed]);
  const parents = (target: string) => {
    const segments = path.dirname(target).split('/').filter(Boolean);
    for (let index = 1; index <= segments.length; index += 1) {
      const directory = `/${segments.slice(0, index).join('/')}`;
      if (made.has(directory) || (image.base === 'os' && (directory.startsWith('/usr/') || directory.startsWith('/etc/')))) continue;
      made.add(directory);
      bwrap.push('--perms', '0755', '--dir', directory);
    }
  };
  for (const [target, source] of Object.entries(image.files)) {
    parents(target);
    bwrap.push('--ro-bind', source, target);
  }
  const volumesByName = options.volumes;
  const mounts = [...(container.volumeMounts ?? [])].sort((a, b) => a.mountPath.split('/').length - b.mountPath.split('/').length);
  for (const mount of mounts) {
    const volume = volumesByName.get(mount.name);
    if (!volume) throw new Error(`container "${container.name}" mounts unknown volume "${mount.name}"`);
    const source = mount.subPath ? path.join(volume.hostPath, mount.subPath) : volume.hostPath;
    if (mount.subPath && !fs.existsSync(source)) fs.mkdirSync(source, { recursive: true });
    parents(mount.mountPath);
    made.add(mount.mountPath);
    bwrap.push(volume.readOnly || mount.readOnly ? '--ro-bind' : '--bind', source, mount.mountPath);
  }
  // Directories the image has but the stand-in root lacks; writable only where a volume is mounted.
  for (const directory of ['/tmp', '/var/tmp', '/run'])
    if (!made.has(directory)) bwrap.push('--perms', directory === '/run' ? '0755' : '1777', '--dir', directory);
  if (container.securityContext?.readOnlyRootFilesystem) bwrap.push('--remount-ro', '/');
  bwrap.push('--chdir', container.workingDir ?? image.workingDir ?? '/');
  bwrap.push('--clearenv');
  const environment = new Map<string, string>([
    ['PATH', DEFAULT_PATH],
    ['HOSTNAME', pod.spec.hostname ?? pod.metadata.name],
    ...Object.entries(image.env ?? {}),
    ...options.environment,
  ]);
  for (const [name, value] of environment) bwrap.push('--setenv', name, value);

  return [
    '/bin/ip',
    'netns',
    'exec',
    options.netns,
    '/usr/bin/bwrap',
    ...bwrap,
    '--',
    RUN_AS,
    String(user),
    String(group),
    groups.join(','),
    ...options.argv,
  ];
}
