/**
 * How one container runs: in its pod's network namespace (`ip netns exec`), in a bubblewrap
 * sandbox whose filesystem is the machine's /usr and /etc (standing in for the image's base),
 * the image's own files (the binaries built from source, at the image's paths), and the pod's
 * volumes at their mount paths; the root is read-only when the container asks for it. The
 * process gets its own PID, IPC and UTS namespaces and the pod's hostname, and runs as the
 * container's user and groups with every capability dropped and no_new_privs set (setpriv),
 * the way a restricted pod runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MaterializedVolume } from './volumes';
import type { Container, Pod } from './pod-types';

/** What an image brings: its entrypoint and files, its default user. The binaries are built from source. */
export interface ImageRuntime {
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
}

/** The argv the container runs, as the kubelet derives it from command/args and the image. */
export function containerArgv(container: Container, image: ImageRuntime): string[] {
  if (container.command) return [...container.command, ...(container.args ?? [])];
  return [...image.entrypoint, ...(container.args ?? image.cmd ?? [])];
}

export function containerIdentity(pod: Pod, container: Container, image: ImageRuntime): { user: number; group: number; groups: number[] } {
  const podContext = pod.spec.securityContext ?? {};
  const user = container.securityContext?.runAsUser ?? podContext.runAsUser ?? image.user;
  const group = container.securityContext?.runAsGroup ?? podContext.runAsGroup ?? image.group;
  const groups = [...new Set([group, ...(podContext.fsGroup === undefined ? [] : [podContext.fsGroup]), ...(podContext.supplementalGroups ?? [])])];
  if ((container.securityContext?.runAsNonRoot ?? podContext.runAsNonRoot) && user === 0) throw new Error(`container "${container.name}" must not run as root (runAsNonRoot) but would run as uid 0`);
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
  options: { netns: string; volumes: ReadonlyMap<string, MaterializedVolume>; environment: ReadonlyMap<string, string>; argv: readonly string[]; files: SandboxFiles },
): string[] {
  const { user, group, groups } = containerIdentity(pod, container, image);
  const bwrap: string[] = ['--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', pod.spec.hostname ?? pod.metadata.name];
  bwrap.push('--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64');
  bwrap.push('--ro-bind', '/etc', '/etc', '--ro-bind', options.files.hosts, '/etc/hosts', '--ro-bind', options.files.resolvConf, '/etc/resolv.conf');
  bwrap.push('--proc', '/proc', '--dev', '/dev');
  // An image file whose directory exists on the machine (e.g. /usr/local/bin) gets a fresh layer there.
  const shadowed = new Set<string>();
  for (const target of Object.keys(image.files)) {
    const parent = path.dirname(target);
    if ((parent.startsWith('/usr/') || parent.startsWith('/etc/')) && fs.existsSync(parent) && !shadowed.has(parent)) {
      shadowed.add(parent);
      bwrap.push('--tmpfs', parent);
    }
  }
  // bwrap would create missing parents as root-only (0700): make them 0755 first, as an image's are.
  const made = new Set<string>(['/', '/usr', '/etc', '/proc', '/dev', ...shadowed]);
  const parents = (target: string) => {
    const segments = path.dirname(target).split('/').filter(Boolean);
    for (let index = 1; index <= segments.length; index += 1) {
      const directory = `/${segments.slice(0, index).join('/')}`;
      if (made.has(directory) || directory.startsWith('/usr/') || directory.startsWith('/etc/')) continue;
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
  for (const directory of ['/tmp', '/var/tmp', '/run']) if (!made.has(directory)) bwrap.push('--perms', directory === '/run' ? '0755' : '1777', '--dir', directory);
  if (container.securityContext?.readOnlyRootFilesystem) bwrap.push('--remount-ro', '/');
  bwrap.push('--chdir', container.workingDir ?? image.workingDir ?? '/');
  bwrap.push('--clearenv');
  const environment = new Map<string, string>([['PATH', DEFAULT_PATH], ['HOSTNAME', pod.spec.hostname ?? pod.metadata.name], ...Object.entries(image.env ?? {}), ...options.environment]);
  for (const [name, value] of environment) bwrap.push('--setenv', name, value);

  const setpriv = [`--reuid=${user}`, `--regid=${group}`, user === 0 ? '--keep-groups' : `--groups=${groups.join(',')}`, '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all'];
  return ['/bin/ip', 'netns', 'exec', options.netns, '/usr/bin/bwrap', ...bwrap, '--', '/usr/bin/setpriv', ...setpriv, '--', ...options.argv];
}
