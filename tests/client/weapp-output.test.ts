import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkWxml } from './wxml';

/** The mini-program build (client/dist-weapp, made by npm test) is complete, well-formed and small. */
const DIST = path.resolve(__dirname, '../../client/dist-weapp');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('the weapp build', () => {
  const appJson = path.join(DIST, 'app.json');
  it('when it was built, then app.json lists the tab pages', () => {
    expect(existsSync(appJson)).toBe(true);
    const app = JSON.parse(readFileSync(appJson, 'utf8')) as { pages: string[]; tabBar: { list: { pagePath: string }[] } };
    expect(app.tabBar.list.map((t) => t.pagePath)).toEqual(['pages/home/index', 'pages/group-buy/index', 'pages/stores/index', 'pages/me/index']);
  });

  it('when every page of app.json is looked for, then each has its .js, .json and .wxml', () => {
    const app = JSON.parse(readFileSync(appJson, 'utf8')) as { pages: string[]; subPackages?: { root: string; pages: string[] }[] };
    const pages = [...app.pages, ...(app.subPackages ?? []).flatMap((s) => s.pages.map((p) => `${s.root}/${p}`))];
    const missing = pages.flatMap((p) => ['.js', '.json', '.wxml'].filter((ext) => !existsSync(path.join(DIST, p + ext))).map((ext) => p + ext));
    expect(missing).toEqual([]);
  });

  it('when every .wxml is parsed, then all are well-formed', () => {
    const wxml = files(DIST).filter((f) => f.endsWith('.wxml'));
    expect(wxml.length).toBeGreaterThan(2);
    const problems = wxml.flatMap((f) => checkWxml(readFileSync(f, 'utf8')).map((p) => `${path.relative(DIST, f)}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('when the main package is measured, then it is under 1.5 MB', () => {
    const app = JSON.parse(readFileSync(appJson, 'utf8')) as { subPackages?: { root: string }[] };
    const subRoots = (app.subPackages ?? []).map((s) => path.join(DIST, s.root));
    const main = files(DIST).filter((f) => !subRoots.some((r) => f.startsWith(r)) && !f.endsWith('.LICENSE.txt') && !f.endsWith('.source-hash'));
    const bytes = main.reduce((n, f) => n + statSync(f).size, 0);
    console.log(`weapp main package: ${(bytes / 1024).toFixed(0)} KiB`);
    expect(bytes).toBeLessThan(1.5 * 1024 * 1024);
  });
});

describe('the WXML check itself', () => {
  it('when tags do not balance, then it says so', () => {
    expect(checkWxml('<view><text>a</view>')).not.toEqual([]);
    expect(checkWxml('<view a="{{x>1}}">{{a<b}}</view>')).toEqual([]);
    expect(checkWxml('<view a=b></view>')).not.toEqual([]);
  });
});
