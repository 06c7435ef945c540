/**
 * The backup drills' measurements, written as JSON and Markdown under reports/backup-drills/
 * (kept by CI, like reports/engine/) and printed on the console.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../../config/project-root';

export type Fact = number | string | boolean;

export class DrillReport {
  private readonly sections = new Map<string, Record<string, Fact>>();

  /** `name`: the files' name under reports/backup-drills/ (one per drill file). */
  constructor(private readonly name = 'backup-drills') {}

  /** Records one measured fact of a drill. */
  fact(drill: string, name: string, value: Fact): void {
    const section = this.sections.get(drill) ?? {};
    section[name] = value;
    this.sections.set(drill, section);
  }

  /** Times `work` as a fact in seconds. */
  async time<T>(drill: string, name: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.fact(drill, name, seconds(Date.now() - started));
    }
  }

  write(): string {
    const directory = path.join(projectRoot(), 'reports', 'backup-drills');
    fs.mkdirSync(directory, { recursive: true });
    const data = Object.fromEntries(this.sections);
    fs.writeFileSync(path.join(directory, `${this.name}.json`), `${JSON.stringify(data, null, 2)}\n`);
    const markdown = [
      '# Backup drills',
      '',
      ...[...this.sections].flatMap(([drill, facts]) => [
        `## ${drill}`,
        '',
        '| measured | value |',
        '|---|---|',
        ...Object.entries(facts).map(([name, value]) => `| ${name} | ${String(value)} |`),
        '',
      ]),
    ].join('\n');
    const file = path.join(directory, `${this.name}.md`);
    fs.writeFileSync(file, markdown);
    return markdown;
  }
}

/** Milliseconds as seconds with one decimal. */
export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
