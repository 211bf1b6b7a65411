// When a page becomes usable, measured in the page itself (every animation frame).
import type { Page } from 'playwright-core';

/** Milliseconds from navigation start until `readyAt()` (run in the page every frame) returns a time. */
export async function timeUntil(page: Page, target: string, readyAt: () => number | false): Promise<number> {
  await page.goto(target, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(readyAt, undefined, { polling: 'raf', timeout: 15_000 });
  return Math.round((await handle.jsonValue()) as number);
}

/** The sign-in form is on screen and usable: the fields and the button, enabled, the first field focused. */
export function signInUsable(): number | false {
  const user = document.querySelector<HTMLInputElement>('input[name="username"]');
  const password = document.querySelector<HTMLInputElement>('input[name="password"]');
  const submit = document.querySelector<HTMLButtonElement>('form button[type="submit"]');
  const ok = user && password && submit && !user.disabled && !submit.disabled && document.activeElement === user;
  return ok ? performance.now() : false;
}

/** The explorer's heading and search box are there and the first page of items has loaded. */
export function explorerUsable(): number | false {
  const heading = document.querySelector('main h1');
  const search = document.querySelector<HTMLInputElement>('main input[type="search"]');
  const loading = [...document.querySelectorAll('main [role="status"]')].some((node) =>
    (node.textContent ?? '').includes('Loading'),
  );
  const ok = heading?.textContent?.includes('Explorer') && search && !search.disabled && !loading;
  return ok ? performance.now() : false;
}
