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

export class VolumeWriter {
  readonly tokens: TokenFile[] = [];

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
      spec: { ...(audience ? { audiences: [audience] } : {}), expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: this.pod.metadata.name, uid: this.pod.metadata.uid } },
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

  private writeFile(directory: string, relative: string, content: Buffer, mode: number): void {
    const file = path.join(directory, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    this.own(file, mode, true);
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

  private writeKeys(directory: string, data: Map<string, Buffer>, items: readonly KeyToPath[] | undefined, defaultMode: number, optional: boolean | undefined, source: string): void {
    const selected: readonly KeyToPath[] = items ?? [...data.keys()].map((key) => ({ key, path: key }));
    for (const item of selected) {
      const content = data.get(item.key);
      if (content === undefined) {
        if (optional) continue;
        throw new VolumeNotReady(`${source} has no key "${item.key}"`);
      }
      this.writeFile(directory, item.path, content, item.mode ?? defaultMode);
    }
  }

  /** Writes one volume below the pod's directory (or resolves its PersistentVolume). */
  async write(volume: Volume): Promise<MaterializedVolume> {
    const directory = path.join(this.root, 'volumes', volume.name);
    if (volume.persistentVolumeClaim) return this.claim(volume.persistentVolumeClaim.claimName, volume.persistentVolumeClaim.readOnly ?? false);
    fs.rmSync(directory, { recursive: true, force: true });
    fs.mkdirSync(directory, { recursive: true });
    if (volume.emptyDir) {
      fs.chmodSync(directory, 0o777);
      if (this.fsGroup !== undefined) this.own(directory, 0o777, false);
      return { hostPath: directory, readOnly: false };
    }
    if (volume.secret) {
      const { secretName, items, defaultMode, optional } = volume.secret;
      this.writeKeys(directory, await this.secretData(secretName, optional), items, defaultMode ?? 0o644, optional, `secret "${secretName}"`);
    } else if (volume.configMap) {
      const { name, items, defaultMode, optional } = volume.configMap;
      this.writeKeys(directory, await this.configMapData(name, optional), items, defaultMode ?? 0o644, optional, `configmap "${name}"`);
    } else if (volume.downwardAPI) {
      for (const item of volume.downwardAPI.items ?? []) this.writeFile(directory, item.path, this.downward(item), item.mode ?? volume.downwardAPI.defaultMode ?? 0o644);
    } else if (volume.projected) {
      const defaultMode = volume.projected.defaultMode ?? 0o644;
      for (const source of volume.projected.sources) {
        if (source.serviceAccountToken) {
          const { audience, path: relative } = source.serviceAccountToken;
          const expirationSeconds = source.serviceAccountToken.expirationSeconds ?? 3600;
          const serviceAccount = this.pod.spec.serviceAccountName ?? 'default';
          this.writeFile(directory, relative, await this.token(serviceAccount, audience, expirationSeconds), defaultMode);
          this.tokens.push({ file: path.join(directory, relative), serviceAccount, audience, expirationSeconds, renewAt: Date.now() + expirationSeconds * 800 });
        } else if (source.secret) {
          const { name, items, optional } = source.secret;
          this.writeKeys(directory, await this.secretData(name, optional), items, defaultMode, optional, `secret "${name}"`);
        } else if (source.configMap) {
          const { name, items, optional } = source.configMap;
          this.writeKeys(directory, await this.configMapData(name, optional), items, defaultMode, optional, `configmap "${name}"`);
        } else if (source.downwardAPI) {
          for (const item of source.downwardAPI.items ?? []) this.writeFile(directory, item.path, this.downward(item), item.mode ?? defaultMode);
        }
      }
    } else {
      throw new Error(`volume "${volume.name}": this kind of volume is not served by the pod runner`);
    }
    this.own(directory, 0o755, true);
    return { hostPath: directory, readOnly: true };
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
    const claim = await this.kube.get<KubeObject & { spec?: { volumeName?: string }; status?: { phase?: string } }>(`/api/v1/namespaces/${namespace}/persistentvolumeclaims/${claimName}`);
    if (!claim) throw new VolumeNotReady(`persistentvolumeclaim "${claimName}" not found`);
    if (claim.status?.phase !== 'Bound' || !claim.spec?.volumeName) throw new VolumeNotReady(`persistentvolumeclaim "${claimName}" is not bound`);
    const volume = await this.kube.get<KubeObject & { spec?: { hostPath?: { path: string } } }>(`/api/v1/persistentvolumes/${claim.spec.volumeName}`);
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
