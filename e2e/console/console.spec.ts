import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { MCX, REPO, SERVER_CONTROL_STEP, startEcosystemProcess, type EcosystemProcess } from '../support/ecosystem-process.ts';

// The console against the whole ecosystem started by `mcx up` (a real child process), in Debian's Chromium.
let eco: EcosystemProcess;
test.beforeAll(async () => {
  eco = await startEcosystemProcess();
});
test.afterAll(async () => {
  const code = await eco?.stop();
  expect(code).toBe(0);
});

test('a person migrates ue-alice to mcx-b by clicking, edits its B profile and sees the new version reach the UE', async ({
  page,
}) => {
  await page.goto(eco.consoleLogin);
  await expect(page.getByRole('heading', { name: /MC system A/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /MC system B/ })).toBeVisible();
  await expect(page.getByTestId('ue-state-ue-alice')).toHaveText('STABLE');
  await expect(page.getByTestId('ue-system-ue-alice')).toHaveText('mcx-a');

  await page.getByRole('button', { name: 'ue-alice' }).click();
  await page.getByLabel('Registered PLMN').selectOption('00102');
  await page.getByRole('button', { name: 'Change PLMN' }).click();

  await expect(page.getByTestId('ue-system-ue-alice')).toHaveText('mcx-b');
  await expect(page.getByTestId('ue-state-ue-alice')).toHaveText('STABLE');
  await expect(page.getByTestId('ues-in-mcx-b')).toContainText('ue-alice');
  // The sequence diagram shows the migration: token exchange at IdMS-B, SUBSCRIBE/NOTIFY with CMS-B.
  const arrows = page.getByTestId('sequence-arrow');
  await expect(arrows.filter({ hasText: 'SUBSCRIBE' }).first()).toBeVisible();
  await expect(page.locator('[data-testid=sequence-arrow][aria-label*="IdMS-B"]').first()).toBeAttached();
  await expect(page.locator('[data-testid=sequence-arrow][aria-label*="CMS-B"]').first()).toBeAttached();
  // The server-to-server leg of migration service authorization (TS 23.280 10.6.3), which the UE never sees.
  await expect(page.locator('[data-testid=sequence-arrow][aria-label*="MCS-B to MCS-A"][aria-label*="migration request"]').first()).toBeAttached();
  await expect(page.locator('[data-testid=sequence-arrow][aria-label*="MCS-A to MCS-B"][aria-label*="migration-auth-result true"]').first()).toBeAttached();
  // The migration is one band, a band per TS 24.484 step in it; the diagram follows the newest message.
  await expect(page.locator('[data-testid=procedure-band][data-label="migration to mcx-b"]').first()).toBeAttached();
  for (const step of ['token-exchange', 'migration-service-authorization', 'subscribe-partner-cms + subscribe-partner-gms'])
    await expect(page.locator(`[data-testid=step-band][data-label="${step}"]`).first()).toBeAttached();
  await page.locator('#diagram-title').evaluate((h) => h.scrollIntoView());
  await expect(page.getByTestId('sequence-arrow').last()).toBeInViewport();
  await expect(page.getByTestId('diagram-lanes')).toBeInViewport();
  await page.screenshot({ path: test.info().outputPath('diagram-after-migration.png') });
  // Scrolled back, it stays there until "Jump to latest".
  await page.getByTestId('diagram-scroll').evaluate((box) => box.scrollTo(0, 0));
  await expect(page.getByTestId('sequence-arrow').last()).not.toBeInViewport();
  await page.getByRole('button', { name: /Jump to latest/ }).click();
  await expect(page.getByTestId('sequence-arrow').last()).toBeInViewport();
  await page
    .locator('[data-testid=sequence-arrow][aria-label*="CMS-B to UE"][aria-label*="NOTIFY"]')
    .first()
    .click();
  await expect(page.getByTestId('message-detail')).toContainText('xcap-diff');
  await expect(page.getByTestId('message-detail')).toBeInViewport();
  // The message log as text, for a bug report.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export text' }).click();
  const text = readFileSync((await (await download).path())!, 'utf8');
  expect(text).toMatch(/^Message log of ue-alice: \d+ messages/);
  expect(text).toMatch(/sent SIP UE -> CMS-B {2}\[migration to mcx-b: subscribe-partner-cms \+ subscribe-partner-gms/);
  // ... and the diagram as a picture: a well-formed standalone SVG with the lane names and the bands.
  const picture = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export picture (SVG)' }).click();
  const svg = readFileSync((await (await picture).path())!, 'utf8');
  expect(svg).toMatch(/^<\?xml [^>]*\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(svg).toContain('>MCS-B</text>');
  expect(svg).toContain('>migration to mcx-b</text>');
  expect(await page.evaluate((doc) => new DOMParser().parseFromString(doc, 'image/svg+xml').querySelector('parsererror'), svg)).toBeNull();

  // Admin edit of the profile the UE uses in B; the UE's copy follows (NOTIFY → conditional GET).
  await page.getByRole('button', { name: 'Edit profile as admin' }).click();
  await page.getByRole('tab', { name: 'XML' }).click();
  const editor = page.getByRole('textbox', { name: 'Profile document (XML)' });
  await expect(editor).toHaveValue(/ProfileName/);
  const xml = await editor.inputValue();
  await editor.fill(
    xml.replace(
      /<ProfileName([^>]*)>[^<]*<\/ProfileName>/,
      '<ProfileName$1>edited in the console</ProfileName>',
    ),
  );
  await page.getByRole('button', { name: 'Save profile' }).click();
  const saved = page.getByRole('status').filter({ hasText: /saved: version/ });
  await expect(saved).toBeVisible();
  const etag = (await saved.textContent())!.match(/ETag (\S+)/)![1]!;
  await expect(page.getByTestId('ue-row-ue-alice')).toContainText('edited in the console');
  await expect(page.getByTestId('ue-row-ue-alice')).toContainText(etag);

  // The README's picture of the console (the UE migrated to B, its B profile edited): kept with the
  // test's output; MCX_DOCS_SCREENSHOT=1 writes docs/console.png instead (a test run changes no file of the repository).
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const readmePicture = process.env.MCX_DOCS_SCREENSHOT === '1' ? join(REPO, 'docs/console.png') : test.info().outputPath('console.png');
  await page.screenshot({ path: readmePicture, fullPage: false });

  // Back to the home PLMN: configured in A again.
  await page.getByLabel('Registered PLMN').selectOption('00101');
  await page.getByRole('button', { name: 'Change PLMN' }).click();
  await expect(page.getByTestId('ue-system-ue-alice')).toHaveText('mcx-a');
  await expect(page.getByTestId('ue-state-ue-alice')).toHaveText('STABLE');
  // Leaving mcx-b is marked as teardown, not drawn as new subscriptions.
  await expect(page.locator('[data-testid=sequence-arrow][aria-label*="UE to CMS-B"][aria-label*="(unsubscribe)"]').first()).toBeAttached();
  await expect(page.locator('[data-testid=sequence-arrow][aria-label*="UE to MCS-B"][aria-label*="(deregister)"]').first()).toBeAttached();
  await page.locator('#diagram-title').evaluate((h) => h.scrollIntoView());
  await page.screenshot({ path: test.info().outputPath('diagram-after-return-home.png') });
});

test('a refused migration is shown with the deciding party\'s reason, and back on its home PLMN ue-bob is STABLE in mcx-a again', async ({
  page,
}) => {
  const shot = (name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(eco.consoleLogin);
  await expect(page.getByTestId('ue-state-ue-bob')).toHaveText('STABLE');
  await page.getByRole('button', { name: 'ue-bob', exact: true }).click();
  await expect(page.getByRole('heading', { name: /^ue-bob/ })).toBeVisible();
  await shot('01-bob-stable-in-a');
  // mcx-a never shared bob with mcx-b (CSC-17): the partner refuses, the UE stays configured in mcx-a.
  await page.getByLabel('Registered PLMN').selectOption('00102');
  await page.getByRole('button', { name: 'Change PLMN' }).click();
  await expect(page.getByTestId('ue-state-ue-bob')).toHaveText('MIGRATION_FAILED');
  await expect(page.getByTestId('ue-system-ue-bob')).toHaveText('mcx-a');
  await expect(page.getByRole('alert').filter({ hasText: 'not authorized to migrate to mcx-b' })).toBeVisible();
  await shot('02-bob-migration-refused');
  // Back on the home PLMN the UE re-evaluates its situation: STABLE in mcx-a, the refusal gone.
  await page.getByLabel('Registered PLMN').selectOption('00101');
  await page.getByRole('button', { name: 'Change PLMN' }).click();
  await expect(page.getByTestId('ue-state-ue-bob')).toHaveText('STABLE');
  await expect(page.getByTestId('ue-system-ue-bob')).toHaveText('mcx-a');
  await expect(page.getByRole('alert').filter({ hasText: 'not authorized to migrate' })).toHaveCount(0);
  await shot('03-bob-stable-again');
});

test('at 1280x800 a person edits ue-alice\'s profile in the form and sees the NOTIFY arrive in the diagram without scrolling', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(eco.consoleLogin);
  await expect(page.getByTestId('ue-system-ue-alice')).toHaveText('mcx-a');
  await expect(page.getByTestId('ue-state-ue-alice')).toHaveText('STABLE');
  await page.getByRole('button', { name: 'ue-alice', exact: true }).click();
  await expect(page.getByRole('heading', { name: /^ue-alice/ })).toBeVisible();
  const notifies = page.locator('[data-testid=sequence-arrow][aria-label*="CMS-A to UE"][aria-label*="NOTIFY"]');
  await expect(notifies.first()).toBeAttached();
  const before = await notifies.count();

  await page.getByRole('button', { name: 'Edit profile as admin' }).click();
  await page.getByRole('tab', { name: 'Form' }).click();
  const name = page.getByLabel('Profile name');
  await expect(name).not.toHaveValue('');
  await name.fill('alice (edited beside the diagram)');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^saved: version \d+,/ })).toBeVisible();

  // No scroll call from here on: the diagram follows live in its own pane beside the form.
  await expect.poll(() => notifies.count()).toBeGreaterThan(before);
  await expect(notifies.last()).toBeInViewport();
  await expect(page.getByTestId('diagram-lanes')).toBeInViewport();
  await expect(name).toBeInViewport();
  await expect(page.getByRole('button', { name: 'Save profile' })).toBeInViewport();
  await expect(page.getByTestId('ue-row-ue-alice')).toContainText('alice (edited beside the diagram)');
  // The page itself never scrolled: only the left pane did, to bring the form in.
  expect(await page.evaluate(() => [window.scrollX, window.scrollY])).toEqual([0, 0]);
  await page.screenshot({ path: test.info().outputPath('01-notify-in-view.png') });
  // The NOTIFY's detail opens in the right pane, in view too.
  await notifies.last().click();
  await expect(page.getByTestId('message-detail')).toContainText('xcap-diff');
  await expect(page.getByTestId('message-detail')).toBeInViewport();
  await expect(notifies.last()).toBeInViewport();
  await expect(name).toBeInViewport();
  await page.screenshot({ path: test.info().outputPath('02-notify-detail.png') });
});

test('the console is keyboard-usable: a UE can be selected and its PLMN form reached with the keyboard', async ({
  page,
}) => {
  await page.goto(eco.consoleLogin);
  await expect(page.getByTestId('ue-state-ue-bob')).toBeVisible();
  const bob = page.getByRole('button', { name: 'ue-bob' });
  await bob.focus();
  await page.keyboard.press('Enter');
  await expect(bob).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('heading', { name: /^ue-bob/ })).toBeVisible();
  await expect(page.getByLabel('Registered PLMN')).toBeEnabled();
  // The diagram's arrows: Enter picks one, Up picks the previous message; the detail beside follows.
  const arrows = page.getByTestId('sequence-arrow');
  await expect(arrows.nth(1)).toBeAttached();
  const newest = arrows.last();
  await newest.focus();
  await page.keyboard.press('Enter');
  const seq = await newest.getAttribute('data-seq');
  await expect(page.getByTestId('message-detail').getByRole('heading')).toContainText(`#${seq} `);
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('message-detail').getByRole('heading')).not.toContainText(`#${seq} `);
  await expect(page.locator('[data-testid=sequence-arrow]:focus')).toHaveAttribute('aria-current', 'true');
});

test('without the token link the console asks for the control token; its API refuses a page that has not logged in', async ({
  page,
}) => {
  await page.goto(eco.endpoints.console);
  await expect(page).toHaveURL(/\/login$/);
  const api = await page.request.get(`${eco.endpoints.console}/api/systems`);
  expect(api.status()).toBe(401);
  await page.getByLabel('Control token').fill('not-the-token');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong token.');
  await page.getByLabel('Control token').fill(eco.controlToken);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: /MC system A/ })).toBeVisible();
  expect(page.url()).not.toContain('token');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'mcx-console-session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
});

test('the shipped scenarios pass through `mcx scenario run` against the running ecosystem', async () => {
  const dir = join(REPO, 'scenarios');
  // Scenarios that stop, start or restart servers need an ecosystem the runner started itself;
  // e2e/integration/mcx-cli.test.ts runs them that way.
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f))
    .filter((f) => !SERVER_CONTROL_STEP.test(readFileSync(f, 'utf8')));
  expect(files.length).toBeGreaterThanOrEqual(12);
  const junit = join(eco.dir, 'scenarios.junit.xml');
  const run = spawnSync(
    process.execPath,
    [MCX, 'scenario', 'run', ...files, '--config', eco.config, '--junit', junit],
    { cwd: REPO, encoding: 'utf8', timeout: 170_000 },
  );
  expect(run.stdout + run.stderr).toMatch(new RegExp(`${files.length} passed, 0 failed`));
  expect(run.status).toBe(0);
});

test('a lab operator starts a third UE, edits its profile in the form, sees the new version and its diff, edits group membership and stops the UE', async ({
  page,
}) => {
  const shot = (name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(eco.consoleLogin);
  await expect(page.getByTestId('ue-state-ue-alice')).toHaveText('STABLE');
  // Health badges: every server of both systems up; the role is said once ("MC system A (primary)").
  await expect(page.locator('[data-health=up]')).toHaveCount(8);
  await expect(page.getByRole('heading', { name: /MC system A/ })).not.toContainText('(primary, ');
  await shot('01-console');

  // Start a UE for carol by clicking; it reaches STABLE in her home system and is selected.
  await page.getByLabel('User', { exact: true }).selectOption('carol');
  await page.getByLabel('UE id (optional)').fill('ue-carol');
  await page.getByRole('button', { name: 'Start UE' }).click();
  await expect(page.getByTestId('ue-state-ue-carol')).toHaveText('STABLE');
  await expect(page.getByTestId('ue-system-ue-carol')).toHaveText('mcx-a');
  await expect(page.getByRole('heading', { name: /^ue-carol/ })).toBeVisible();
  await shot('02-ue-started');

  // Her profile as a form: rename it and save (If-Match); the UE's copy follows.
  await page.getByRole('button', { name: 'Edit profile as admin' }).click();
  await expect(page.getByLabel('Profile name')).toHaveValue('home');
  await expect(page.getByLabel('Pre-selected')).toBeChecked();
  await expect(page.getByRole('button', { name: /^Remove group sip:fire-a@/ })).toBeVisible();
  await page.getByLabel('Profile name').fill('carol (edited in the form)');
  await page.getByRole('button', { name: 'Save profile' }).click();
  // Scenarios run before may have edited and restored carol's profile: versions count from what is there.
  const saved = page.getByRole('status').filter({ hasText: /^saved: version \d+,/ });
  await expect(saved).toBeVisible();
  const version = Number((await saved.textContent())!.match(/^saved: version (\d+),/)![1]);
  expect(version).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('ue-row-ue-carol')).toContainText('carol (edited in the form)');
  await shot('03-profile-saved');
  // Saving it again unchanged makes no new version.
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: new RegExp(`^unchanged: version ${version} stays current`) })).toBeVisible();

  // The versions: the saved one is current, none after it; the diff of the one before and it shows the rename.
  await page.getByRole('tab', { name: 'Versions' }).click();
  await expect(page.getByTestId(`version-${version}`)).toContainText('(current)');
  await expect(page.getByTestId(`version-${version + 1}`)).toHaveCount(0);
  await page.getByLabel('Old version').selectOption(String(version - 1));
  await page.getByLabel('New version').selectOption(String(version));
  await page.getByRole('button', { name: 'Show diff' }).click();
  const diff = page.getByTestId('version-diff');
  await expect(diff.locator('.del')).toContainText(['>home</ProfileName>']);
  await expect(diff.locator('.add')).toContainText(['>carol (edited in the form)</ProfileName>']);
  await shot('04-versions-diff');

  // Group membership (GMS admin API): bob leaves Fire brigade A and joins again; ue-bob, subscribed
  // to the group document, hears of it (a NOTIFY from GMS-A in its diagram).
  await page.getByRole('button', { name: 'ue-bob', exact: true }).click();
  const gmsNotifies = page.locator('[data-testid=sequence-arrow][aria-label*="GMS-A to UE"][aria-label*="NOTIFY"]');
  await expect(gmsNotifies.first()).toBeAttached();
  const before = await gmsNotifies.count();
  const members = page.getByRole('list', { name: 'Members of Fire brigade A' });
  await expect(members).toContainText('sip:bob@mcx-a.example.net');
  await page.getByRole('button', { name: 'Remove sip:bob@mcx-a.example.net from Fire brigade A' }).click();
  await expect(members).not.toContainText('sip:bob@mcx-a.example.net');
  await expect.poll(() => gmsNotifies.count()).toBeGreaterThan(before);
  await shot('05-group-member-removed');
  await page.getByLabel('New member of Fire brigade A').selectOption('sip:bob@mcx-a.example.net');
  await page.getByRole('form', { name: 'Add a member to Fire brigade A' }).getByRole('button', { name: 'Add member' }).click();
  await expect(members).toContainText('sip:bob@mcx-a.example.net');

  // Stop the UE: it leaves the table.
  await page.getByTestId('ue-stop-ue-carol').click();
  await expect(page.getByTestId('ue-row-ue-carol')).toHaveCount(0);
  await expect(page.getByTestId('ue-table-status')).toHaveText('ue-carol stopped');
  await shot('06-ue-stopped');
});

test('when the ecosystem stops, the badges turn grey and a banner says so plainly', async ({ page }) => {
  const own = await startEcosystemProcess();
  try {
    await page.goto(own.consoleLogin);
    await expect(page.locator('[data-health=up]')).toHaveCount(8);
    await expect(page.getByTestId('ecosystem-down')).toHaveCount(0);
    expect(await own.stop()).toBe(0);
    await expect(page.getByTestId('ecosystem-down')).toContainText('The ecosystem is not running (start it with npm start).');
    await expect(page.locator('[data-health=unknown]')).toHaveCount(8);
    await expect(page.locator('[data-health=up]')).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath('01-ecosystem-down.png') });
  } finally {
    await own.stop().catch(() => undefined);
  }
});
