// hello-service's end-to-end suite: Playwright Test in the browser the runner has. Gantry's deploy workflows
// run it after the staging smoke test (`e2e-command: npx playwright test`) with BASE_URL set to the deployed
// URL and PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH / CHROME_PATH set to the runner's Chromium or Chrome, so no
// browser is downloaded (`npx playwright install` is never needed).
import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env['BASE_URL'];
if (baseURL === undefined || baseURL === '')
  throw new Error('BASE_URL is not set (the deployed URL to test)');
const executablePath =
  process.env['PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH'] || process.env['CHROME_PATH'] || undefined;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  retries: 0,
  workers: 1,
  forbidOnly: true,
  // The HTML report is what the workflow uploads as an artifact; `list` is what the job log shows.
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          ...(executablePath === undefined ? {} : { executablePath }),
          // Playwright already passes --no-sandbox (chromiumSandbox is off by default), --no-first-run,
          // --disable-background-networking, --disable-component-update and --disable-sync; these keep a
          // Chromium on a closed network (a CI runner without egress, a container as root) quiet.
          args: ['--disable-gpu', '--disable-quic', '--disable-dev-shm-usage'],
        },
      },
    },
  ],
});
