/** Writes the evidence of one audit in every format: Markdown, JSON, CSV, SARIF and JUnit XML. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INPUT_LIMITS, InputFileError, readRegularFile } from '../../config/input-files';
import type { AuditResult } from '../audit';
import { renderCsvReport } from './csv';
import { renderJsonReport } from './json';
import { renderJunitReport } from './junit';
import { renderMarkdownReport } from './markdown';
import { renderSarifReport, type SarifOptions } from './sarif';
import { resourceLines } from './source-lines';

export { renderCsvReport, renderJsonReport, renderJunitReport, renderMarkdownReport, renderSarifReport };

export const REPORT_FILES = ['audit.md', 'audit.json', 'audit.csv', 'audit.sarif', 'audit.junit.xml'] as const;

/** Where each resource starts in a stack file; none when the file cannot be read (again) within the audit's limits. */
function linesOf(file: string): Map<string, number> {
  try {
    return resourceLines(readRegularFile(file, INPUT_LIMITS.auditFileBytes, 'Terraform JSON'));
  } catch (error) {
    if (error instanceof InputFileError) return new Map();
    throw error;
  }
}

/** Report locations read from the stacks' files (stack name to file path). */
export function sourceLocations(files: ReadonlyMap<string, string>, relativeTo: string): SarifOptions {
  const lines = new Map<string, Map<string, number>>();
  return {
    stackFile: (stack) => path.relative(relativeTo, files.get(stack) ?? stack),
    resourceLine: (stack, address) => {
      const file = files.get(stack);
      if (!file) return undefined;
      if (!lines.has(stack)) lines.set(stack, linesOf(file));
      return lines.get(stack)?.get(address);
    },
  };
}

export function writeAuditReports(result: AuditResult, directory: string, options: SarifOptions = {}): string[] {
  fs.mkdirSync(directory, { recursive: true });
  const contents: Record<(typeof REPORT_FILES)[number], string> = {
    'audit.md': renderMarkdownReport(result),
    'audit.json': renderJsonReport(result),
    'audit.csv': renderCsvReport(result),
    'audit.sarif': renderSarifReport(result, options),
    'audit.junit.xml': renderJunitReport(result),
  };
  return REPORT_FILES.map((file) => {
    fs.writeFileSync(path.join(directory, file), contents[file]);
    return path.join(directory, file);
  });
}
