// Types for modules.mjs (plain JS so Stryker's config can import it without a build step).
export interface MutationModule {
  slug: string;
  name: string;
  /** The files Stryker mutates. */
  files: string[];
  /** The unit test files that exercise them: the only tests Stryker runs for this module. */
  tests: string[];
}
export declare const MODULES: MutationModule[];
export declare function currentModule(env?: Record<string, string | undefined>): MutationModule;
export declare const incrementalFile: (slug: string) => string;
export declare const reportFile: (slug: string) => string;
