// What a user of hello-service sees after a deploy: the greeting page, and a healthy /health.
import { expect, test } from '@playwright/test';

test('the home page greets the visitor', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status(), 'GET / status').toBe(200);
  await expect(page.locator('body')).toContainText('Hello from hello-service');
});

test('the health endpoint reports ok', async ({ request }) => {
  const response = await request.get('/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'ok' });
});
