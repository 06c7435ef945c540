/**
 * Writes docs/controls.md, the control catalogue, from the rules themselves: id, title,
 * level, the breach lesson, what to change, and the references. `npm run docs` regenerates
 * it; a test fails when the committed file is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../config/project-root';
import { renderControlCatalogue } from '../policies/reports/catalogue';

const file = path.join(projectRoot(), 'docs', 'controls.md');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, renderControlCatalogue());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
