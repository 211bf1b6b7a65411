// Where things are, relative to this file (frontend/e2e/support/).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

export const FRONTEND_DIR = path.resolve(here, '..', '..');
export const REPO_ROOT = path.resolve(FRONTEND_DIR, '..');
export const STATIC_DIR = path.join(REPO_ROOT, 'backend', 'mcms', 'web', 'static');
export const ARTIFACTS_DIR = path.join(FRONTEND_DIR, 'e2e', 'artifacts');
export const FIGURES_FILE = path.join(ARTIFACTS_DIR, 'figures.json');
/** The Python virtualenv's executables (`make install` creates it). */
export const VENV_BIN = process.env.MCMS_E2E_VENV_BIN ?? path.join(REPO_ROOT, '.venv', 'bin');
export const MCMS = path.join(VENV_BIN, 'mcms');
export const PYTHON = path.join(VENV_BIN, 'python');
/** Debian's chromium; browser downloads are impossible here (scripts/ensure-browser.sh installs it). */
export const CHROMIUM = process.env.MCMS_E2E_CHROMIUM ?? '/usr/bin/chromium';
