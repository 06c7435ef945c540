/**
 * The engine proof's measurements: per stack and command (init, validate, plan, apply,
 * re-plan, destroy) and the wall time of each phase, written as JSON and Markdown under
 * reports/engine/ (kept by CI) and summarised on the console.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../../config/project-root';
import type { Timing } from './tofu-runner';

export class EngineReport {
  private readonly phases: { name: string; ms: number }[] = [];
  private readonly facts: Record<string, number | string> = {};

  constructor(readonly scenario: string) {}

  phase(name: string, ms: number): void {
    this.phases.push({ name, ms });
  }

  fact(name: string, value: number | string): void {
    this.facts[name] = value;
  }

  /** Times a phase. */
  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.phase(name, Date.now() - started);
    }
  }

  /** A directory beside the report for a phase's evidence files (emptied by whoever writes it). */
  evidenceDirectory(name: string): string {
    return path.join(projectRoot(), 'reports', 'engine', `${this.scenario}-${name}`);
  }

  /** Copies the tier's logs (every process, every pod container) next to the report. */
  keepLogs(tierDirectory: string): void {
    const target = path.join(projectRoot(), 'reports', 'engine', `${this.scenario}-logs`);
    fs.rmSync(target, { recursive: true, force: true });
    const logs = path.join(tierDirectory, 'logs');
    if (fs.existsSync(logs)) fs.cpSync(logs, target, { recursive: true });
  }

  write(timings: readonly Timing[]): string {
    const directory = path.join(projectRoot(), 'reports', 'engine');
    fs.mkdirSync(directory, { recursive: true });
    const stacks = [...new Set(timings.map((timing) => timing.stack))];
    const commands = [...new Set(timings.map((timing) => timing.command))];
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    const cell = (stack: string, command: string) => {
      const runs = timings.filter((timing) => timing.stack === stack && timing.command === command);
      return runs.length === 0 ? '' : runs.map((timing) => seconds(timing.ms)).join(' / ');
    };
    const markdown = [
      `# Engine proof: ${this.scenario}`,
      '',
      '| phase | wall time (s) |',
      '|---|---|',
      ...this.phases.map((phase) => `| ${phase.name} | ${seconds(phase.ms)} |`),
      '',
      `| stack | ${commands.join(' | ')} |`,
      `|---|${commands.map(() => '---').join('|')}|`,
      ...stacks.map((stack) => `| ${stack} | ${commands.map((command) => cell(stack, command)).join(' | ')} |`),
      '',
      ...Object.entries(this.facts).map(([name, value]) => `- ${name}: ${value}`),
      '',
    ].join('\n');
    fs.writeFileSync(path.join(directory, `${this.scenario}.md`), markdown);
    fs.writeFileSync(
      path.join(directory, `${this.scenario}.json`),
      JSON.stringify({ scenario: this.scenario, phases: this.phases, facts: this.facts, timings }, null, 2),
    );
    return markdown;
  }
}
