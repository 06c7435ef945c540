/** Renders the benchmark results as Markdown (docs/benchmarks.md). Pure: everything comes from BenchResults. */
import {
  appCommandOptions,
  byId,
  costOptions,
  fleetPoints,
  fleetScaling,
  HEADLINE_TARGET,
  headlineOf,
  isOk,
  LINEARITY_TOLERANCE,
  recommend,
  SAME_STACKS_AS,
  statsOf,
  TEST_TARGET_SECONDS,
  type BenchResults,
  type CostedOption,
  type HeadlineId,
} from './analysis';
import type { Measurement } from './measure';
import { RUNNERS, type RunnerId } from './runners';

const seconds = (value: number): string => `${value.toFixed(2)} s`;
const mib = (value: number): string => `${value.toFixed(0)} MiB`;
const ratio = (value: number): string => `${value.toFixed(2)}×`;
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** "1.16 s (1.12–1.30)" or the reason a measurement has no number. */
function wallCell(measurement: Measurement | undefined): string {
  if (!measurement) return 'not measured';
  if (!isOk(measurement)) return `${measurement.status}: ${firstLine(measurement.reason)}`;
  const stats = statsOf(measurement);
  return stats ? `${seconds(stats.wall.median)} (${stats.wall.min.toFixed(2)}–${stats.wall.max.toFixed(2)})` : 'no sample';
}

function rssCell(measurement: Measurement | undefined): string {
  const stats = statsOf(measurement);
  return stats ? `${mib(stats.rssMiB.median)} (${stats.rssMiB.min.toFixed(0)}–${stats.rssMiB.max.toFixed(0)})` : '–';
}

function cpuCell(measurement: Measurement | undefined): string {
  const stats = statsOf(measurement);
  return stats ? seconds(stats.cpu.median) : '–';
}

function firstCell(measurement: Measurement | undefined): string {
  const stats = statsOf(measurement);
  return stats ? seconds(stats.firstWall) : '–';
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function machineSection(results: BenchResults): string {
  const { machine } = results;
  const load = (values: readonly number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  return [
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${machine.cpuModel}, ${machine.cores} cores available`],
        ['Memory', `${machine.memoryGiB.toFixed(1)} GiB`],
        ['OS', `${machine.os} (${machine.kernel})`],
        ['Node.js / npm / TypeScript', `${machine.node} / ${machine.npm} / ${machine.typescript}`],
        [
          'Measured with',
          `${machine.timeTool}: \`/usr/bin/time -v\`, "Elapsed (wall clock) time" (10 ms resolution) and "Maximum resident set size"`,
        ],
        ['Load average (1/5/15 min)', `${load(machine.loadAverageAtStart)} at the start, ${load(results.loadAverageAtEnd)} at the end`],
        ['Commit', machine.commit],
        ['Date', machine.date],
        ['Duration of the run', `${(results.durationSeconds / 60).toFixed(1)} min`],
      ],
    ),
  ].join('\n');
}

/** What the benchmark is, how to run it, and why the app runs the way it does: the same in every report. */
export function aboutSection(): string {
  return [
    '## Running it',
    '',
    '```sh',
    'npm run bench                            # default deployment vs an empty cdktf app, fleets of 1/5/20/50, compile steps and runners',
    'npm run bench -- --with-tests --write    # also `npm test` (warm); writes this section of docs/benchmarks.md',
    'npm run bench -- --deploy --write        # as root: fleets deployed on the engine tier (below); writes its own section',
    '```',
    '',
    'It needs GNU time (`/usr/bin/time`, Debian package `time`). `--runs` sets the measured runs per command, `--fleets` the',
    'fleet sizes (configs generated from `config/examples/fleet.yaml`), `--runners` the ways of running the app; the',
    'alternative runners are installed at exact versions under `~/.cache/matrix-sovereign-iac/bench-runners/`, outside the',
    'repository. Run it on a quiet machine.',
    '',
    '## How the app runs',
    '',
    "`npm run synth`, `cdktf.json`'s `app` and the other entry points (`audit`, `review`, `protected`, `docs`, `post-review`)",
    'run through `scripts/run-ts.cjs`: esbuild bundles the entry and the project modules it imports (npm packages stay',
    "external), and the bundle runs as the entry's own module. The bundle is cached under `node_modules/.cache/run-ts/` and",
    'reused while every bundled source has the same content (sha256), so an unchanged app starts without esbuild. It is the',
    'fastest way measured below (*How the app is executed*), and the stacks it synthesizes are byte for byte those of',
    'precompiled JS. It does not type-check: `npm run typecheck` (strict `tsc --noEmit` over the whole project) runs first in',
    'CI, and ts-jest runs with isolated modules, the compilation model of esbuild. `NODE_OPTIONS=--enable-source-maps npm run',
    'synth` maps stack traces to the TypeScript sources.',
    '',
    'A run whose every input is unchanged since an earlier passing run (config bytes and name, output directory name, the',
    "app's code, the installed packages, Node.js, the environment cdktf reads, the UTC day) republishes that run's output and",
    'audit evidence byte for byte from `node_modules/.cache/synth-output/` instead of synthesizing (docs/design.md, "Output',
    'cache"; `MATRIX_SYNTH_CACHE=off` turns it off). A changed config rebuilds only the stacks whose build would read',
    'something different; the others synthesize as the JSON an earlier passing run wrote for them (docs/design.md, "Stack',
    'cache"). Every row below synthesizes afresh unless it says "cache hit" or "stack cache".',
    '',
    '## What keeps it fast',
    '',
    "- Each stack is resolved once per synthesis: the policy pack hands the JSON it audited to cdktf's writer, so the file",
    '  written is the object the rules judged.',
    '- Helm values are parsed once per release, not once per rule.',
    "- The app imports the providers' resource classes from their own modules, never the index that loads all of them",
    '  (an ESLint `no-restricted-imports` rule keeps it so).',
    "- `npm test` runs one jest worker per core (jest's default leaves a 2-core machine one worker while most suites wait",
    '  on child processes), and the policy fixture is rendered once per test file.',
    '- The string-field suite judges each of its ~13,600 hostile attempts as the loader works, in two halves: YAML must',
    "  carry the text unchanged in the field's place (printed and read back in the leaf's outline), and the parsed value",
    '  must be refused with the field path; whole-config YAML is checked against both halves for one field of every place.',
    "- A rule's bad case is judged by the rule and by the audit with that rule only; a good case by the whole audit.",
    '- cdktf captures a complete stack trace for every token it creates (kept for the message if the token cannot be',
    "  resolved); jest's stack formatter visits every frame of every stack looking for a source map, which cost the tests",
    "  more CPU than the synthesis itself. The tests' environment (`test/support/node-environment.cjs`) formats stacks on",
    "  objects that are not errors itself, in V8's layout; errors' stacks are still formatted by jest.",
    "- The tests' environment reads globals from an ordinary global object: jest builds its context on a sandbox",
    '  object (a Proxy), through which every read of a global (`Array`, `Object`, `JSON`, ...) cost about 100 times a',
    "  local's, in every module the tests load; it now makes the context with Node's `vm.constants.DONT_CONTEXTIFY`.",
    '- Within an audit, each view the rules share (manifests, pod specs, the parsed Synapse, HAProxy and Keycloak',
    '  configs, ...) is computed once per stack, not once per rule (`tfjson/view-cache.ts`); the secret scan tries the',
    '  known credential formats only on text that holds a literal part of one of them.',
    '- A request is checked before cdktf is loaded, where its state would live included (the stacks are known from the',
    '  config), so every refusal of the app command costs about a tenth of a synthesis.',
    '- The test suites that only read a synthesis of the default deployment or the fleet share one of each per run',
    '  (`test/support/shared-synthesis.ts`), the review suites included; a base reviewed against many heads is analysed',
    '  once (`reviewSide`, then `compareSides`).',
    '- During a synthesis, the stacks cdktf captures on its tokens are left empty (`stacks/token-creation-stacks.ts`):',
    '  formatting them cost about a tenth of the CPU of a synthesis, for a message the app never prints; errors keep theirs.',
    "- The hostile-input table's sandboxes live on a RAM file system when the machine has one (`/dev/shm`), and a file",
    "  is hashed once per run however many cases' snapshots hold a link to it.",
    '- The string-field suite tries a field in the default deployment when it has it (a third of the fleet to validate',
    '  per attempt), in the fleet otherwise.',
    '- A changed config rebuilds only the stacks that read what changed (the stack cache), keeping each clean audit with',
    '  its stack; the stack classes, constructs and provider bindings are loaded by the first stack built.',
    "- The reports look up each rule's outcome on each stack in an index, not by searching every outcome (a fleet of 50",
    '  has 20,000 of them, asked for by three reports).',
  ].join('\n');
}

function methodSection(results: BenchResults): string {
  const { runs } = results.options;
  return [
    '## Method',
    '',
    `Every row is a separate OS process started by \`/usr/bin/time -v\` (no shell), from the project root, with a fresh output`,
    `directory each run. Each command runs once as a warm-up (shown as "first run": it fills the OS page cache and`,
    `any transpiler cache), then ${runs} measured time${runs === 1 ? '' : 's'}; the tables give the **median (min–max)** of the measured runs. The`,
    "commands of one table are run round-robin (A B C, A B C, ...) so that a change in the machine's load hits all of them",
    'alike; every ratio is between numbers of this one run. Peak RSS is the largest resident set of the process (GNU time',
    'reports the maximum over the process and the children it waited for). CPU is user + system time.',
  ].join('\n');
}

function verdictOf(results: BenchResults, id: HeadlineId, what: string): string {
  const headline = headlineOf(results.headline, id);
  return headline
    ? `${what}: ${ratio(headline.wallRatio)} the wall time and ${ratio(headline.rssRatio)} the peak memory of the empty app (CPU ${ratio(headline.cpuRatio)}): target **${headline.met ? 'met' : 'not met'}**`
    : `${what}: not available (see the table)`;
}

function snapshotNote(results: BenchResults): string {
  const build = results.snapshot;
  if (!build) return 'The V8 startup snapshot was not built in this run.';
  if (build.error !== undefined) return `The V8 startup snapshot could not be built: ${firstLine(build.error)}.`;
  const size = (bytes: number | undefined) => (bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
  return `The V8 startup snapshot (\`scripts/bench/snapshot-entry.ts\` bundled whole by esbuild, then \`node --build-snapshot\`): bundle ${size(build.bundleBytes)} in ${seconds(build.bundleSeconds ?? 0)}, blob ${size(build.blobBytes)} in ${seconds(build.snapshotSeconds ?? 0)}.`;
}

/** How many times faster `faster` ran than `slower` (medians of wall time), e.g. "2.10× faster than". */
function speedUp(measurements: readonly Measurement[], slower: string, faster: string): string {
  const before = statsOf(byId(measurements, slower));
  const after = statsOf(byId(measurements, faster));
  return before && after ? `${ratio(before.wall.median / after.wall.median)} faster than` : 'not compared with';
}

/** What the app said of its stacks in the last run (how many it built). */
function detailOf(measurements: readonly Measurement[], id: string): string {
  const measurement = byId(measurements, id);
  return isOk(measurement) && measurement.detail !== undefined ? measurement.detail : 'stacks built: not reported';
}

function headlineSection(results: BenchResults): string {
  const headline = headlineOf(results.headline);
  const baseline = statsOf(byId(results.headline, 'baseline'));
  const ratioCells = (measurement: Measurement | undefined): string => {
    const stats = statsOf(measurement);
    return stats && baseline
      ? `${ratio(stats.wall.median / baseline.wall.median)} / ${ratio(stats.rssMiB.median / baseline.rssMiB.median)}`
      : '–';
  };
  const fresh = byId(results.headline, 'default');
  const sameStacks = (measurement: Measurement): string => {
    const referenceId = SAME_STACKS_AS[measurement.id] ?? 'default';
    const reference = byId(results.headline, referenceId);
    const referenceFingerprint = isOk(reference) ? reference.fingerprint : undefined;
    if (!isOk(measurement) || measurement.fingerprint === undefined || referenceFingerprint === undefined) return '–';
    if (measurement.id === referenceId) return 'reference';
    return measurement.fingerprint === referenceFingerprint ? 'yes' : '**no**';
  };
  const rows = results.headline.map((measurement) => [
    measurement.label,
    code(measurement.display),
    wallCell(measurement),
    rssCell(measurement),
    cpuCell(measurement),
    ratioCells(measurement),
    sameStacks(measurement),
  ]);
  const verdict = headline
    ? `**Headline: the default deployment (synthesis + audit, fresh) takes ${ratio(headline.wallRatio)} the wall time and ${ratio(headline.rssRatio)} the peak memory of an empty cdktf app** (CPU time ${ratio(headline.cpuRatio)}). Target ≤ ${HEADLINE_TARGET}× on both: **${headline.met ? 'met' : 'not met'}** for a fresh synthesis.`
    : '**Headline: not available** (a measurement failed; see the table).';
  const load = statsOf(byId(results.headline, 'load-only'));
  const index = statsOf(byId(results.headline, 'load-index'));
  const noRules = statsOf(byId(results.headline, 'synth-no-rules'));
  const full = statsOf(fresh);
  const breakdown =
    load && noRules && full && baseline
      ? [
          '',
          'Where the time of the fresh synthesis goes (differences of medians, so only indicative):',
          `process start + empty cdktf app ${seconds(baseline.wall.median)}; loading the app's modules ${seconds(load.wall.median - baseline.wall.median)} more than that;`,
          `config, composition, synthesis and reports ${seconds(noRules.wall.median - load.wall.median)}; the policy audit (all rules) ${seconds(full.wall.median - noRules.wall.median)}.`,
        ].join('\n')
      : '';
  const options = [
    '',
    'What each option gives, against the empty app of this run:',
    '',
    `- **Loading only the resource classes used** (adopted; \`no-restricted-imports\` in eslint.config.mjs refuses the providers' index): ${
      index && load
        ? `through the index the app's modules would take ${seconds(index.wall.median)} and ${mib(index.rssMiB.median)} instead of ${seconds(load.wall.median)} and ${mib(load.rssMiB.median)} (${seconds(index.wall.median - load.wall.median)}, ${mib(index.rssMiB.median - load.rssMiB.median)} saved on every run)`
        : 'not measured'
    }.`,
    `- **V8 startup snapshot** (not adopted): ${verdictOf(results, 'snapshot', 'synthesis + audit from the snapshot')}. ${snapshotNote(results)}`,
    `- **Output cache** (adopted; stacks/synthesis-cache.ts): ${verdictOf(results, 'cached', 'an unchanged input with `node dist/main.js`')}; ${verdictOf(results, 'cached-app', 'with the app command (`scripts/run-ts.cjs`)')}.`,
    `- **Stack cache: the resolved JSON of each unchanged stack** (adopted; stacks/stack-cache.ts): ${verdictOf(results, 'stacks-unaffected', 'a changed config that changes no stack')}; ${verdictOf(results, 'stacks-edit', 'one value changed')} (${speedUp(results.headline, 'edit-fresh', 'stacks-edit')} the same edit synthesized fresh, ${detailOf(results.headline, 'stacks-edit')}).`,
  ].join('\n');
  return [
    '## Headline: default deployment against an empty cdktf app',
    '',
    table(['process', 'command', 'wall', 'peak RSS', 'CPU', 'ratio to baseline (wall / RSS)', 'same stacks as fresh'], rows),
    '',
    verdict,
    breakdown,
    options,
  ].join('\n');
}

function fleetSection(results: BenchResults): string {
  if (results.fleets.length === 0) return '## Fleets\n\nNot measured (`--fleets` was empty).';
  const points = fleetPoints(results.fleets);
  const scaling = fleetScaling(points);
  const sizes = [...results.fleets].sort((a, b) => a.size - b.size);
  const segmentTo = new Map(scaling.segments.map((segment) => [segment.to, segment.slope]));
  const rows = sizes.map(({ size, measurement }) => {
    const stats = statsOf(measurement);
    const stacks = isOk(measurement) ? (measurement.detail ?? '–') : '–';
    const step = segmentTo.get(size);
    return [
      String(size),
      stacks,
      wallCell(measurement),
      rssCell(measurement),
      stats ? seconds(stats.wall.median / size) : '–',
      step !== undefined ? seconds(step) : '–',
    ];
  });
  const lines = [
    '## Fleets',
    '',
    'Generated configs (`fleetConfig(n)` in `scripts/bench/fleet-config.ts`): homeserver *i* is a renamed copy of the',
    '*i* mod 3-th homeserver of `config/examples/fleet.yaml`, every member federating with the others; synthesized and audited',
    'by `node dist/main.js <fleet-n.yaml>`.',
    '',
    table(['homeservers', 'stacks', 'wall', 'peak RSS', 'wall per homeserver (average)', 'per homeserver since the previous size'], rows),
    '',
  ];
  if (scaling.marginalWall !== undefined && scaling.wallFit && scaling.rssFit && scaling.marginalRssMiB !== undefined) {
    const first = scaling.points[0]?.size;
    const last = scaling.points[scaling.points.length - 1]?.size;
    lines.push(
      `- **Per-homeserver cost** (t(${last}) − t(${first})) / ${(last ?? 0) - (first ?? 0)}: **${seconds(scaling.marginalWall)}** wall and **${scaling.marginalRssMiB.toFixed(1)} MiB** peak RSS.`,
      `- Least-squares line: wall = ${scaling.wallFit.intercept.toFixed(2)} s + ${scaling.wallFit.slope.toFixed(3)} s × homeservers (r² = ${scaling.wallFit.r2.toFixed(4)}); peak RSS = ${scaling.rssFit.intercept.toFixed(0)} MiB + ${scaling.rssFit.slope.toFixed(1)} MiB × homeservers (r² = ${scaling.rssFit.r2.toFixed(4)}).`,
    );
  }
  lines.push(
    `- **Scaling: ${scaling.verdict}** — ${scaling.explanation}. (Rule: linear or better when the last step costs at most ${LINEARITY_TOLERANCE * 100}% more per homeserver than the average.)`,
  );
  const edit = results.fleetEdit;
  if (edit) {
    const measured = [edit.fresh, edit.stacks];
    const same =
      isOk(edit.fresh) && isOk(edit.stacks) && edit.fresh.fingerprint !== undefined
        ? edit.fresh.fingerprint === edit.stacks.fingerprint
        : undefined;
    lines.push(
      '',
      `**One homeserver edited in the fleet of ${edit.size}** (its gateway's replicas; the stack cache primed by a run of the unedited fleet before each run):`,
      '',
      table(
        ['synthesis', 'command', 'wall', 'peak RSS', 'CPU'],
        measured.map((measurement) => [
          measurement.label,
          code(measurement.display),
          wallCell(measurement),
          rssCell(measurement),
          cpuCell(measurement),
        ]),
      ),
      '',
      `- With the stack cache: ${speedUp(measured, edit.fresh.id, edit.stacks.id)} fresh (${detailOf(measured, edit.stacks.id)}); same stacks as fresh: ${same === undefined ? '–' : same ? 'yes' : '**no**'}.`,
    );
  }
  return lines.join('\n');
}

function optionRow(option: CostedOption, appCommand: string | undefined): string[] {
  return [
    `${code(option.command)}${option.command === appCommand ? ' (the app command)' : ''}`,
    seconds(option.warm),
    seconds(option.cold),
    seconds(option.ci),
    option.typeSafety,
    option.newDevDependencies.length ? option.newDevDependencies.join(', ') : 'none',
  ];
}

function runnerSection(results: BenchResults): string {
  const versions = Object.entries(results.runnerVersions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const compileRows = results.compile.map((measurement) => [
    measurement.label,
    code(measurement.display),
    wallCell(measurement),
    firstCell(measurement),
    rssCell(measurement),
    cpuCell(measurement),
  ]);
  const reference = byId(results.runners, 'node-dist');
  const referenceFingerprint = isOk(reference) ? reference.fingerprint : undefined;
  const sameOutput = (measurement: Measurement): string => {
    if (!isOk(measurement) || measurement.fingerprint === undefined || referenceFingerprint === undefined) return '–';
    if (measurement.id === 'node-dist') return 'reference';
    return measurement.fingerprint === referenceFingerprint ? 'yes' : '**no**';
  };
  const runnerRows = results.runners.map((measurement) => {
    const runner = RUNNERS[measurement.id as RunnerId];
    return [
      runner?.label ?? measurement.label,
      code(measurement.display),
      wallCell(measurement),
      firstCell(measurement),
      rssCell(measurement),
      cpuCell(measurement),
      runner?.typeChecks ? 'yes' : 'no',
      sameOutput(measurement),
    ];
  });
  const costed = costOptions(appCommandOptions(results.options.runners), [...results.compile, ...results.runners]).sort(
    (a, b) => a.warm - b.warm,
  );
  const { fastest, fastestWithoutNewDependency } = recommend(costed);
  const lines = [
    '## How the app is executed',
    '',
    "Precompiled JS and `scripts/run-ts.cjs` (the project's own runner: esbuild bundles the project's code, cached by content; its",
    "first run below builds the bundle into an empty cache) use only the project's dependencies. The other runners are not",
    `project dependencies: the benchmark installs them at exact versions into a cache directory outside the repository`,
    `(${versions || 'nothing installed'}${results.runnerInstallError ? `; ${results.runnerInstallError}` : ''}) and runs them on the project's sources with its tsconfig.json.`,
    "Node's type stripping is tried on the running Node.js.",
    '',
    '### Compile steps',
    '',
    table(['step', 'command', 'wall', 'first run', 'peak RSS', 'CPU'], compileRows),
    '',
    '"tsc --incremental" is measured with nothing changed since the previous compile (the warm-up writes the `.tsbuildinfo`);',
    'after an edit it costs between that and the full compile, depending on what the edited file reaches.',
    '',
    '### Synthesizing the default deployment with each runner',
    '',
    table(['runner', 'command', 'wall', 'first run', 'peak RSS', 'CPU', 'type-checks', 'same stacks'], runnerRows),
    '',
    '"Same stacks": the synthesized `stacks/` directory is byte-for-byte that of precompiled JS (sha256 over paths and contents).',
    '',
    '### End to end: the app command',
    '',
    'Sums of the medians above (warm) and of the first runs (cold: empty transpiler caches, or the first incremental compile);',
    '"CI" is the cold command plus, for the options that do not type-check the whole project, `tsc -p tsconfig.json --noEmit`.',
    '',
    table(
      ['app command', 'warm', 'cold', 'CI', 'type safety', 'new devDependencies'],
      costed.map((option) => optionRow(option, results.appCommand)),
    ),
    '',
  ];
  if (fastest) {
    lines.push(`**Fastest:** ${code(fastest.command)}, ${seconds(fastest.warm)} warm (type safety: ${fastest.typeSafety}).`);
    if (fastestWithoutNewDependency && fastestWithoutNewDependency.id !== fastest.id) {
      lines.push(
        '',
        `**Fastest without a new dependency:** ${code(fastestWithoutNewDependency.command)}, ${seconds(fastestWithoutNewDependency.warm)} warm.`,
      );
    }
  } else {
    lines.push('No end-to-end option could be costed (a measurement failed).');
  }
  return lines.join('\n');
}

function testSection(results: BenchResults): string {
  if (!results.tests) return '## `npm test`\n\nNot measured in this run (`--with-tests` measures it: about four full test runs).';
  const { measurement, workers, summary } = results.tests;
  const stats = statsOf(measurement);
  const exit = isOk(measurement) ? measurement.samples[measurement.samples.length - 1]?.exitStatus : undefined;
  const verdict = stats
    ? `**${seconds(stats.wall.median)}** warm (${stats.wall.min.toFixed(2)}–${stats.wall.max.toFixed(2)}; target under ${TEST_TARGET_SECONDS} s: **${stats.wall.median < TEST_TARGET_SECONDS ? 'met' : 'not met'}**)`
    : 'no result';
  return [
    '## `npm test`',
    '',
    `\`npm test\` (its pretest tool check, then jest) run four times: the first warms the caches (tool builds, jest's transform cache), the median (min–max) of the other three is reported; the machine is shared, so one run can be seconds off.`,
    '',
    table(
      ['', ''],
      [
        ['wall (warm)', verdict],
        ['first run (warm-up)', firstCell(measurement)],
        ['peak RSS', rssCell(measurement)],
        ['CPU', cpuCell(measurement)],
        ['jest workers', workers !== undefined ? String(workers) : 'unknown'],
        ['result', `${summary ?? 'no jest summary found'}${exit !== undefined && exit !== 0 ? ` (exit ${exit}: failing tests)` : ''}`],
      ],
    ),
  ].join('\n');
}

function rawSection(results: BenchResults): string {
  const all: Measurement[] = [
    ...results.headline,
    ...results.fleets.map((fleet) => fleet.measurement),
    ...results.compile,
    ...results.runners.filter((runner) => runner.id !== 'node-dist'),
    ...(results.tests ? [results.tests.measurement] : []),
  ];
  const rows = all.map((measurement) =>
    isOk(measurement)
      ? [
          measurement.id,
          measurement.warmup.wallSeconds.toFixed(2),
          measurement.samples.map((sample) => sample.wallSeconds.toFixed(2)).join(' '),
          measurement.samples.map((sample) => (sample.maxRssKb / 1024).toFixed(0)).join(' '),
        ]
      : [measurement.id, '–', `${measurement.status}: ${firstLine(measurement.reason)}`, '–'],
  );
  return [
    '<details><summary>Raw samples</summary>',
    '',
    table(['measurement', 'first run (s)', 'wall (s)', 'peak RSS (MiB)'], rows),
    '',
    '</details>',
  ].join('\n');
}

function failureSection(results: BenchResults): string {
  const all: Measurement[] = [
    ...results.headline,
    ...results.fleets.map((fleet) => fleet.measurement),
    ...results.compile,
    ...results.runners,
    ...(results.tests ? [results.tests.measurement] : []),
  ];
  const failed = all.filter((measurement): measurement is Exclude<Measurement, { status: 'ok' }> => measurement.status === 'failed');
  if (failed.length === 0) return '';
  return [
    '## Failures',
    '',
    ...failed.flatMap((measurement) => [
      `- **${measurement.id}** (${code(measurement.display)}):`,
      '',
      '  ```text',
      ...measurement.reason
        .replace(/```/g, "'''")
        .split('\n')
        .map((line) => `  ${line}`),
      '  ```',
      '',
    ]),
  ].join('\n');
}

export function renderReport(results: BenchResults): string {
  return [
    '# Benchmarks',
    '',
    `Generated by ${code(results.command)}. Every number comes from that one run on the machine below; rerun the command to`,
    'reproduce it. Across machines compare the ratios, not the absolute times.',
    '',
    ...(results.sourcesChanged
      ? [
          '> **Warning: the sources changed while this run was measuring.** The precompiled JS is the state at the start, the',
          '> other runners read the sources live: the numbers mix two versions of the app. Rerun on an unchanged tree.',
          '',
        ]
      : []),
    aboutSection(),
    '',
    machineSection(results),
    '',
    methodSection(results),
    '',
    headlineSection(results),
    '',
    fleetSection(results),
    '',
    runnerSection(results),
    '',
    testSection(results),
    '',
    ...[failureSection(results)].filter((section) => section !== '').flatMap((section) => [section, '']),
    rawSection(results),
    '',
  ].join('\n');
}
