/**
 * The CRDs of the PostgreSQL operator and its backup plugin (postgresql.cnpg.io/v1: Cluster,
 * ScheduledBackup, ...; barmancloud.cnpg.io/v1: ObjectStore), from the source archives of the
 * pinned charts, checked against their sha256 like every upstream source the Go module proxy
 * does not serve. Each chart ships its CRDs as one template guarded by `crds.create`; the
 * guard is the only templated text, so the file minus its first and last line is the plain
 * CRD list the chart installs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SOURCE_ARCHIVES, unpackArchive, type SourceArchive } from '../engine/support/tools/sources';
import { cachedArtifact } from './cache-lock';
import { toolCacheRoot } from './go-build';

const GUARD = { first: '{{- if .Values.crds.create }}', last: '{{- end }}' } as const;

/** The chart's CRDs as a plain multi-document YAML file (cached per archive digest). */
function chartCrdFile(archive: SourceArchive): string {
  const directory = cachedArtifact(
    path.join(toolCacheRoot(), 'crds', `${archive.topDirectory}-${archive.sha256.slice(0, 16)}`),
    (staging) => {
      fs.mkdirSync(staging, { recursive: true });
      const unpacked = unpackArchive(archive, staging);
      const lines = fs
        .readFileSync(path.join(unpacked, 'templates', 'crds', 'crds.yaml'), 'utf8')
        .trimEnd()
        .split('\n');
      if (lines[0] !== GUARD.first || lines[lines.length - 1] !== GUARD.last || lines.slice(1, -1).some((line) => line.includes('{{')))
        throw new Error(`${archive.file}: templates/crds/crds.yaml is no longer one guarded block of plain CRDs`);
      fs.writeFileSync(path.join(staging, 'crds.yaml'), `${lines.slice(1, -1).join('\n')}\n`);
      fs.rmSync(unpacked, { recursive: true, force: true });
    },
  );
  return path.join(directory, 'crds.yaml');
}

/** The CRD files of CloudNativePG 1.30.0 (chart 0.29.0) and of the barman-cloud plugin v0.13.0 (chart 0.7.0). */
export function postgresOperatorCrdFiles(): string[] {
  return [chartCrdFile(SOURCE_ARCHIVES.cloudnativePgChart), chartCrdFile(SOURCE_ARCHIVES.barmanCloudChart)];
}
