/**
 * What the exfiltration and abuse alerts are about, as plain data: the label that names the
 * signal an alert answers, the signals, and the alerts that compare with a configured
 * threshold. The renderer writes the alerts with them; LOG-02 and LOG-03 judge them.
 */
import type { MonitoringSettings } from '../config/deployment-config';

export const SIGNAL_LABEL = 'matrix.sovereign/signal';

export const SIGNALS = ['media-exfiltration', 'directory-scraping', 'credential-stuffing', 'monitoring-gap', 'data-safety'] as const;
export type Signal = (typeof SIGNALS)[number];

/** The alerts that compare a rate or volume with a configured threshold (`expr` ends with `> <threshold>`), by the setting each reads. */
export const THRESHOLD_ALERTS = {
  mediaEgressBytesPerHour: 'MatrixMediaExfiltration',
  userDirectorySearchesPerMinute: 'MatrixUserDirectoryScraping',
  profileLookupsPerMinute: 'MatrixProfileScraping',
  rejectedLoginsPerMinute: 'MatrixCredentialStuffing',
} as const satisfies Readonly<Record<keyof MonitoringSettings['alerts'], string>>;
