/**
 * Service names for the pods the runner runs. There is no cluster DNS and no kube-proxy in
 * the tier, so the names a pod would resolve through CoreDNS are written into its /etc/hosts:
 * a Service's names resolve to a ready endpoint's address (the pod behind it, on the same
 * port when the Service maps the port unchanged: true for every Service a real pod calls
 * here), a headless Service's pod names to that pod, and `kubernetes.default.svc` to the API
 * server. The file is rewritten in place as endpoints change, so running processes see it.
 */
import * as fs from 'node:fs';
import type { KubeClient, KubeObject } from '../kube-client';

interface ServiceObject extends KubeObject {
  readonly spec?: { readonly clusterIP?: string };
}

interface EndpointSliceObject extends KubeObject {
  readonly endpoints?: readonly {
    readonly addresses: readonly string[];
    readonly hostname?: string;
    readonly conditions?: { readonly ready?: boolean };
  }[];
}

const CLUSTER_DOMAIN = 'cluster.local';

function namesOf(name: string, namespace: string): string[] {
  return [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`];
}

export async function hostsTable(kube: KubeClient, apiServerAddress: string): Promise<string> {
  const [services, slices] = await Promise.all([
    kube.list<ServiceObject>('/api/v1/services'),
    kube.list<EndpointSliceObject>('/apis/discovery.k8s.io/v1/endpointslices'),
  ]);
  const lines = [
    '127.0.0.1 localhost',
    '::1 localhost',
    `${apiServerAddress} ${['kubernetes', 'kubernetes.default', ...namesOf('kubernetes', 'default')].join(' ')}`,
  ];
  const readyBy = new Map<string, { address: string; hostname?: string }[]>();
  for (const slice of slices) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (!service) continue;
    const key = `${slice.metadata.namespace}/${service}`;
    const ready = (slice.endpoints ?? []).filter((endpoint) => endpoint.conditions?.ready !== false && endpoint.addresses[0]);
    readyBy.set(key, [
      ...(readyBy.get(key) ?? []),
      ...ready.map((endpoint) => ({ address: endpoint.addresses[0] ?? '', hostname: endpoint.hostname })),
    ]);
  }
  for (const service of services) {
    const { name, namespace = 'default' } = service.metadata;
    if (namespace === 'default' && name === 'kubernetes') continue;
    const endpoints = readyBy.get(`${namespace}/${name}`) ?? [];
    const headless = service.spec?.clusterIP === 'None';
    const first = endpoints[0];
    if (first) lines.push(`${first.address} ${namesOf(name, namespace).join(' ')}`);
    if (headless) {
      for (const endpoint of endpoints)
        if (endpoint.hostname) lines.push(`${endpoint.address} ${namesOf(`${endpoint.hostname}.${name}`, namespace).join(' ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Rewrites `file` in place (same inode: bind mounts of it see the change) when the table changed. */
export function writeInPlace(file: string, content: string): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) return false;
  const descriptor = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w', 0o644);
  try {
    fs.ftruncateSync(descriptor, 0);
    fs.writeSync(descriptor, content, 0, 'utf8');
  } finally {
    fs.closeSync(descriptor);
  }
  return true;
}
