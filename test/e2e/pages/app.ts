// Page model for the app shell: start screen, sample incident, sidebar navigation. Specs use this, not raw selectors.
import { expect, type Page } from '@playwright/test';

export class AppPage {
  constructor(readonly page: Page) {}

  /** Opens the app and collects CSP violations and page errors for the spec to assert on. */
  async goto(): Promise<{ cspViolations: string[]; pageErrors: string[] }> {
    const cspViolations: string[] = [];
    const pageErrors: string[] = [];
    await this.page.exposeFunction('__reportCsp', (v: string) => cspViolations.push(v));
    await this.page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp(
          `${e.violatedDirective} ${e.blockedURI}`,
        );
      });
    });
    this.page.on('pageerror', (e) => pageErrors.push(e.message));
    await this.page.goto('/');
    await expect(this.page.locator('html[data-app-state="start"]')).toBeAttached();
    return { cspViolations, pageErrors };
  }

  async openSample(): Promise<void> {
    await this.page.getByTestId('open-sample').click();
    await expect(this.page.locator('html[data-app-state="workspace"]')).toBeAttached({ timeout: 120_000 });
  }

  async nav(label: string): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: label, exact: true })
      .click();
  }
}

/** The largest snapshot the browser host has stored (bytes): a save has landed once it is there. */
export function storedSnapshot(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('ringside');
        open.onsuccess = () => {
          const get = open.result.transaction('snapshots').objectStore('snapshots').getAll();
          get.onsuccess = () => {
            open.result.close();
            resolve(Math.max(0, ...(get.result as Blob[]).map((b) => (b instanceof Blob ? b.size : 0))));
          };
        };
      }),
  );
}
