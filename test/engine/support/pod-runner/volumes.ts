/**
 * A pod's volumes, written out the way the kubelet presents them: Secrets, ConfigMaps,
 * projected service-account tokens (requested from the API with the pod as bound object),
 * the downward API, emptyDirs and bound PersistentVolumes (hostPath directories the tier
 * made). With an fsGroup, files belong to that group and are group-readable (writable for
 * writable volumes), as the kubelet's ownership management does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KubeApiError, type KubeClient, type KubeObject } from '../kube-client';
import type { DownwardItem, KeyToPath, Pod, Volume } from './pod-types';

/** A referenced object does not exist yet: the kubelet keeps the pod in ContainerCreating and retries. */
export class VolumeNotReady extends Error {}

export interface MaterializedVolume {
  readonly hostPath: string;
  /** Secrets, ConfigMaps, projections and the downward API are always read-only. */
  readonly readOnly: boolean;
}

/** A projected token to renew before it expires (the kubelet does at 80 % of its lifetime). */
export interface TokenFile {
  readonly file: string;
  readonly serviceAccount: string;
  readonly audience?: string;
  readonly expirationSeconds: number;
  renewAt: number;
}

const RW_MASK = 0o660;
const RO_MASK = 0o440;

interface SecretObject extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
}
interface ConfigMapObject extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
  readonly binaryData?: Readonly<Record<string, string>>;
}

interface DesiredFile {
  readonly content: Buffer;
  readonly mode: number;
}

export class VolumeWriter {
  readonly tokens: TokenFile[] = [];
  private readonly written: { readonly volume: Volume; readonly directory: string }[] = [];

  constructor(
    private readonly kube: KubeClient,
    private readonly pod: Pod,
    private readonly root: string,
  ) {}

  private get fsGroup(): number | undefined {
    return this.pod.spec.securityContext?.fsGroup;
  }

  private async secretData(name: string, optional: boolean | undefined): Promise<Map<string, Buffer>> {
    const secret = await this.kube.get<SecretObject>(`/api/v1/namespaces/${this.pod.metadata.namespace}/secrets/${name}`);
    if (!secret) {
      if (optional) return new Map();
      throw new VolumeNotReady(`secret "${name}" not found`);
    }
    return new Map(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
  }

  private async configMapData(name: string, optional: boolean | undefined): Promise<Map<string, Buffer>> {
    const configMap = await this.kube.get<ConfigMapObject>(`/api/v1/namespaces/${this.pod.metadata.namespace}/configmaps/${name}`);
    if (!configMap) {
      if (optional) return new Map();
      throw new VolumeNotReady(`configmap "${name}" not found`);
    }
    return new Map([
      ...Object.entries(configMap.data ?? {}).map(([key, value]): [string, Buffer] => [key, Buffer.from(value, 'utf8')]),
      ...Object.entries(configMap.binaryData ?? {}).map(([key, value]): [string, Buffer] => [key, Buffer.from(value, 'base64')]),
    ]);
  }

  private async token(serviceAccount: string, audience: string | undefined, expirationSeconds: number): Promise<Buffer> {
    const apiPath = `/api/v1/namespaces/${this.pod.metadata.namespace}/serviceaccounts/${serviceAccount}/token`;
    const response = await this.kube.request<{ status?: { token?: string } }>('POST', apiPath, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        ...(audience ? { audiences: [audience] } : {}),
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: this.pod.metadata.name, uid: this.pod.metadata.uid },
      },
    });
    if (response.status !== 201 || !response.body.status?.token) {
      if (response.status === 404) throw new VolumeNotReady(`serviceaccount "${serviceAccount}" not found`);
      throw new KubeApiError('POST', apiPath, response.status, response.body);
    }
    return Buffer.from(response.body.status.token, 'utf8');
  }

  private downward(item: DownwardItem): Buffer {
    const field = item.fieldRef?.fieldPath;
    const { metadata } = this.pod;
    const mapText = (map: Readonly<Record<string, string>> | undefined) =>
      Object.entries(map ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join('\n');
    if (field === 'metadata.name') return Buffer.from(metadata.name);
    if (field === 'metadata.namespace') return Buffer.from(metadata.namespace);
    if (field === 'metadata.uid') return Buffer.from(metadata.uid);
    if (field === 'metadata.labels') return Buffer.from(mapText(metadata.labels));
    if (field === 'metadata.annotations') return Buffer.from(mapText(metadata.annotations));
    throw new Error(`downward API field "${field ?? item.resourceFieldRef?.resource}" is not served by the pod runner`);
  }

  private own(file: string, mode: number, readOnly: boolean): void {
    if (this.fsGroup === undefined) {
      fs.chmodSync(file, mode);
      return;
    }
    fs.chownSync(file, 0, this.fsGroup);
    const isDirectory = fs.statSync(file).isDirectory();
    const mask = (readOnly ? RO_MASK : RW_MASK) | (isDirectory ? 0o2110 : 0);
    fs.chmodSync(file, mode | mask);
  }

  private addKeys(
    files: Map<string, DesiredFile>,
    data: Map<string, Buffer>,
    items: readonly KeyToPath[] | undefined,
    defaultMode: number,
    optional: boolean | undefined,
    source: string,
  ): void {
    const selected: readonly KeyToPath[] = items ?? [...data.keys()].map((key) => ({ key, path: key }));
    for (const item of selected) {
      const content = data.get(item.key);
      if (content === undefined) {
        if (optional) continue;
        throw new VolumeNotReady(`${source} has no key "${item.key}"`);
      }
      files.set(item.path, { content, mode: item.mode ?? defaultMode });
    }
  }

  /** The files a Secret, ConfigMap, projected or downward API volume holds now. */
  private async desiredFiles(volume: Volume, directory: string): Promise<Map<string, DesiredFile>> {
    const files = new Map<string, DesiredFile>();
    if (volume.secret) {
      const { secretName, items, defaultMode, optional } = volume.secret;
      this.addKeys(files, await this.secretData(secretName, optional), items, defaultMode ?? 0o644, optional, `secret "${secretName}"`);
    } else if (volume.configMap) {
      const { name, items, defaultMode, optional } = volume.configMap;
      this.addKeys(files, await this.configMapData(name, optional), items, defaultMode ?? 0o644, optional, `configmap "${name}"`);
    } else if (volume.downwardAPI) {
      for (const item of volume.downwardAPI.items ?? [])
        files.set(item.path, { content: this.downward(item), mode: item.mode ?? volume.downwardAPI.defaultMode ?? 0o644 });
    } else if (volume.projected) {
      const defaultMode = volume.projected.defaultMode ?? 0o644;
      for (const source of volume.projected.sources) {
        if (source.serviceAccountToken) {
          const { audience, path: relative } = source.serviceAccountToken;
          const file = path.join(directory, relative);
          // A token is requested once, then renewed on its own schedule (renewTokens).
          if (fs.existsSync(file)) {
            files.set(relative, { content: fs.readFileSync(file), mode: defaultMode });
            continue;
          }
          const expirationSeconds = source.serviceAccountToken.expirationSeconds ?? 3600;
          const serviceAccount = this.pod.spec.serviceAccountName ?? 'default';
          files.set(relative, { content: await this.token(serviceAccount, audience, expirationSeconds), mode: defaultMode });
          this.tokens.push({ file, serviceAccount, audience, expirationSeconds, renewAt: Date.now() + expirationSeconds * 800 });
        } else if (source.secret) {
          const { name, items, optional } = source.secret;
          this.addKeys(files, await this.secretData(name, optional), items, defaultMode, optional, `secret "${name}"`);
        } else if (source.configMap) {
          const { name, items, optional } = source.configMap;
          this.addKeys(files, await this.configMapData(name, optional), items, defaultMode, optional, `configmap "${name}"`);
        } else if (source.downwardAPI) {
          for (const item of source.downwardAPI.items ?? [])
            files.set(item.path, { content: this.downward(item), mode: item.mode ?? defaultMode });
        }
      }
    } else {
      throw new Error(`volume "${volume.name}": this kind of volume is not served by the pod runner`);
    }
    return files;
  }

  /**
   * Makes the directory hold exactly `files`, changing only what differs, each file replaced
   * by a rename inside the directory (the directory itself is bind-mounted: it must stay).
   */
  private apply(directory: string, files: ReadonlyMap<string, DesiredFile>): void {
    for (const [relative, desired] of files) {
      const file = path.join(directory, relative);
      if (fs.existsSync(file) && fs.readFileSync(file).equals(desired.content)) continue;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const temporary = path.join(path.dirname(file), `.${path.basename(file)}.update`);
      fs.writeFileSync(temporary, desired.content);
      this.own(temporary, desired.mode, true);
      fs.renameSync(temporary, file);
    }
    const visit = (current: string) => {
      for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
        const full = path.join(current, entry.name);
        if (entry.isDirectory()) visit(full);
        else if (!files.has(path.relative(directory, full))) fs.rmSync(full, { force: true });
      }
    };
    visit(directory);
  }

  /** Writes one volume below the pod's directory (or resolves its PersistentVolume). */
  async write(volume: Volume): Promise<MaterializedVolume> {
    const directory = path.join(this.root, 'volumes', volume.name);
    if (volume.persistentVolumeClaim)
      return this.claim(volume.persistentVolumeClaim.claimName, volume.persistentVolumeClaim.readOnly ?? false);
    fs.mkdirSync(directory, { recursive: true });
    if (volume.emptyDir) {
      fs.chmodSync(directory, 0o777);
      if (this.fsGroup !== undefined) this.own(directory, 0o777, false);
      return { hostPath: directory, readOnly: false };
    }
    this.apply(directory, await this.desiredFiles(volume, directory));
    this.own(directory, 0o755, true);
    this.written.push({ volume, directory });
    return { hostPath: directory, readOnly: true };
  }

  /**
   * Brings every Secret, ConfigMap and projected volume up to date, as the kubelet does
   * periodically: a value written after the pod started (a certificate issued, a Secret
   * synced) reaches the files. A source that went missing keeps its last content.
   */
  async refresh(): Promise<void> {
    for (const { volume, directory } of this.written) {
      try {
        this.apply(directory, await this.desiredFiles(volume, directory));
      } catch (error) {
        if (!(error instanceof VolumeNotReady)) throw error;
      }
    }
  }

  /** Rewrites tokens that reached 80 % of their lifetime. */
  async renewTokens(): Promise<void> {
    for (const token of this.tokens) {
      if (Date.now() < token.renewAt) continue;
      const content = await this.token(token.serviceAccount, token.audience, token.expirationSeconds);
      const temporary = `${token.file}.renew`;
      fs.writeFileSync(temporary, content);
      const stat = fs.statSync(token.file);
      fs.chownSync(temporary, stat.uid, stat.gid);
      fs.chmodSync(temporary, stat.mode & 0o7777);
      fs.renameSync(temporary, token.file);
      token.renewAt = Date.now() + token.expirationSeconds * 800;
    }
  }

  private async claim(claimName: string, readOnly: boolean): Promise<MaterializedVolume> {
    const namespace = this.pod.metadata.namespace;
    const claim = await this.kube.get<KubeObject & { spec?: { volumeName?: string }; status?: { phase?: string } }>(
      `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${claimName}`,
    );
    if (!claim) throw new VolumeNotReady(`persistentvolumeclaim "${claimName}" not found`);
    if (claim.status?.phase !== 'Bound' || !claim.spec?.volumeName)
      throw new VolumeNotReady(`persistentvolumeclaim "${claimName}" is not bound`);
    const volume = await this.kube.get<KubeObject & { spec?: { hostPath?: { path: string } } }>(
      `/api/v1/persistentvolumes/${claim.spec.volumeName}`,
    );
    const hostPath = volume?.spec?.hostPath?.path;
    if (!hostPath) throw new Error(`persistentvolume "${claim.spec.volumeName}" is not a hostPath volume made by the tier`);
    fs.mkdirSync(hostPath, { recursive: true });
    const fsGroup = this.fsGroup;
    // fsGroupChangePolicy OnRootMismatch: only a root that is not yet the group's is walked.
    if (fsGroup !== undefined && fs.statSync(hostPath).gid !== fsGroup) {
      const visit = (entry: string) => {
        const stat = fs.lstatSync(entry);
        if (stat.isSymbolicLink()) return;
        fs.chownSync(entry, stat.uid, fsGroup);
        fs.chmodSync(entry, (stat.mode & 0o7777) | RW_MASK | (stat.isDirectory() ? 0o2110 : 0));
        if (stat.isDirectory()) for (const child of fs.readdirSync(entry)) visit(path.join(entry, child));
      };
      visit(hostPath);
    }
    return { hostPath, readOnly };
  }
}
