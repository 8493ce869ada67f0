/**
 * The mini-program's pages, as client/src/app.config.ts declares them (subpackages included): what
 * a subscribe message or a share may open.
 */
type AppConfig = { pages: string[]; subPackages?: { root: string; pages: string[] }[]; subpackages?: { root: string; pages: string[] }[] };

export function miniProgramPages(): Set<string> {
  const g = globalThis as { defineAppConfig?: (c: AppConfig) => AppConfig };
  const had = g.defineAppConfig;
  g.defineAppConfig = (c) => c;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = (require('../../client/src/app.config') as { default: AppConfig }).default;
    const sub = [...(config.subPackages ?? []), ...(config.subpackages ?? [])].flatMap((p) => p.pages.map((page) => `${p.root.replace(/\/$/, '')}/${page}`));
    return new Set([...config.pages, ...sub]);
  } finally {
    g.defineAppConfig = had;
  }
}

/** The page a message opens, without its query: `pages/order/index?id=1` → `pages/order/index`. */
export const pageOf = (page: string | undefined) => (page ?? '').replace(/^\//, '').split('?')[0];
