/**
 * Debian's Chromium for the browser tests, driven by playwright-core: where it is, how it is launched
 * (headless, nothing fetched in the background), and whether the suite runs. Without /usr/bin/chromium a
 * suite fails in CI (.ci/run installs it) and is skipped elsewhere.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export const LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

const available = existsSync(CHROMIUM);
if (!available && process.env.CI === undefined) {
  console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install chromium); CI fails instead`);
}

/** Whether a browser suite is skipped: no Chromium, outside CI. */
export const skipBrowser = !available && process.env.CI === undefined;
