/**
 * The upstream source archives of the engine proof are used only after their pinned sha256
 * matches; a missing or different file fails in one line naming the file, the expected sha256
 * and ENGINE_SOURCES.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { engineSourcesDirectory, SOURCE_ARCHIVES, verifiedArchive } from '../engine/support/tools/sources';

const archive = SOURCE_ARCHIVES.kubernetesProvider;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-sources-'));
const saved = process.env.ENGINE_SOURCES;

afterEach(() => {
  if (saved === undefined) delete process.env.ENGINE_SOURCES;
  else process.env.ENGINE_SOURCES = saved;
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

it('reads ENGINE_SOURCES, by default the nearest shared/third-party beside the checkout or one of its parents', () => {
  delete process.env.ENGINE_SOURCES;
  const checkout = path.join(scratch, 'ci', 'runs', 'main');
  fs.mkdirSync(checkout, { recursive: true });
  expect(engineSourcesDirectory(checkout)).toBe(path.join(scratch, 'ci', 'runs', 'shared', 'third-party'));
  fs.mkdirSync(path.join(scratch, 'shared', 'third-party'), { recursive: true });
  expect(engineSourcesDirectory(checkout)).toBe(path.join(scratch, 'shared', 'third-party'));
  fs.mkdirSync(path.join(scratch, 'ci', 'runs', 'shared', 'third-party'), { recursive: true });
  expect(engineSourcesDirectory(checkout)).toBe(path.join(scratch, 'ci', 'runs', 'shared', 'third-party'));
  process.env.ENGINE_SOURCES = scratch;
  expect(engineSourcesDirectory()).toBe(scratch);
});

it.each([
  [
    'missing',
    () => undefined,
    new RegExp(`^${archive.file} is missing: ENGINE_SOURCES \\(.+\\) must hold ${archive.file} with sha256 ${archive.sha256}: .+$`),
  ],
  [
    'different',
    (directory: string) => fs.writeFileSync(path.join(directory, archive.file), 'not the release'),
    new RegExp(`^${archive.file} has sha256 [0-9a-f]{64}, expected ${archive.sha256}: ENGINE_SOURCES \\(.+\\) must hold`),
  ],
])('refuses a %s archive in one line', (name, plant, message) => {
  const directory = path.join(scratch, name);
  fs.mkdirSync(directory);
  plant(directory);
  process.env.ENGINE_SOURCES = directory;
  let error: unknown;
  try {
    verifiedArchive(archive);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).not.toContain('\n');
});

it('pins every archive by a sha256', () => {
  for (const entry of Object.values(SOURCE_ARCHIVES)) expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
});
