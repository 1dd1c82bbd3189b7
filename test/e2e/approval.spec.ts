// The `keyden login` flow: a request over the local API, approved in the app.
import { expect, seedVault, shot, test } from './support/fixtures.js';

// Its screenshot shows the settings behind the dialog: the product's Argon2id parameters, as a user's vault has them.
test.use({ defaultKdf: true });

test('a login request made over the local API is approved in the app and yields a working token', async ({ page, app }) => {
  await seedVault(app, { apiPort: 0 });
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('switch', { name: 'Local API' }).click();
  await expect(page.getByTestId('api-status')).toContainText('Listening on http://127.0.0.1:');
  const url = app.runtime.api.status().url!;

  const health = (await (await fetch(`${url}/healthz`)).json()) as { approver: boolean };
  expect(health.approver).toBe(true);

  const asked = await fetch(`${url}/api/auth/requests`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ clientName: 'keyden CLI on laptop', scopes: ['entries:read', 'entries:reveal'], projects: ['Blog Project'] }),
  });
  expect(asked.status).toBeLessThan(300);
  const { id, secret, code } = (await asked.json()) as { id: string; secret: string; code: string };

  const dialog = page.getByRole('dialog', { name: 'A program asks for access' });
  await expect(dialog).toContainText('keyden CLI on laptop');
  await expect(dialog.getByTestId('approval-code')).toHaveText(code);
  await expect(dialog).toContainText('entries:reveal');
  await expect(dialog).toContainText('Blog Project');
  await shot(page, 'approval');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toHaveCount(0);

  const waited = await fetch(`${url}/api/auth/requests/${id}/wait?secret=${encodeURIComponent(secret)}`);
  expect(waited.status).toBe(200);
  const { token } = (await waited.json()) as { token: string };
  const me = await fetch(`${url}/api/auth/token`, { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status).toBe(200);
  expect(await me.json()).toMatchObject({ name: expect.stringContaining('keyden CLI on laptop'), scopes: ['entries:read', 'entries:reveal'], projects: ['Blog Project'] });

  // Turning the API off closes the port.
  await page.getByRole('switch', { name: 'Local API' }).click();
  await expect(page.getByTestId('api-status')).toHaveText('Not running');
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
});
