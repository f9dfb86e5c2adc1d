/**
 * The package's public API is what `lib/index.ts` exports: a name, and whether it is a value (a
 * function, class or constant a program can call) or only a type. Moving modules between rooms
 * must not change it; an intended change updates `test/fixtures/public-api.json` in the same commit
 * (run with PUBLIC_API_UPDATE=1) and says so in the CHANGELOG.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { execFileSync } from 'child_process';

const ROOT = path.join(__dirname, '..', '..');
const SNAPSHOT = path.join(ROOT, 'test', 'fixtures', 'public-api.json');

function publicExports(): Record<string, 'value' | 'type'> {
  const entry = path.join(ROOT, 'lib', 'index.ts');
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  const program = ts.createProgram([entry], config?.options ?? {});
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error('lib/index.ts did not load');
  const exports: Record<string, 'value' | 'type'> = {};
  for (const symbol of checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.name.localeCompare(b.name))) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    exports[symbol.name] = target.flags & ts.SymbolFlags.Value ? 'value' : 'type';
  }
  return exports;
}

describe('public API', () => {
  it('lib/index.ts exports the same names, values and types as the checked-in snapshot', () => {
    const actual = publicExports();
    if (process.env.PUBLIC_API_UPDATE === '1') fs.writeFileSync(SNAPSHOT, JSON.stringify(actual, null, 2) + '\n');
    const expected = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as Record<string, string>;
    expect(actual).toEqual(expected);
  });

  it('the built package exports at run time every value of the snapshot, and nothing else', () => {
    const expected = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as Record<string, string>;
    const values = Object.keys(expected).filter((name) => expected[name] === 'value');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const built = require(path.join(ROOT, 'dist', 'lib', 'index.js')) as Record<string, unknown>;
    expect(Object.keys(built).sort()).toEqual(values.sort());
  });

  it("the exports map keeps the package's rooms private: a program reaches the public entry, nothing under it", () => {
    // The programmatic API is the Node-RED package's main export (docs/packages.md).
    const probe = `
      const name = require('./package.json').name;
      const out = { main: Object.keys(require(name)).length };
      for (const sub of ['dist/lib/internal', 'dist/lib/client/client', 'dist/lib/host/output']) {
        try { require(name + '/' + sub); out[sub] = 'reachable'; } catch (e) { out[sub] = e.code; }
      }
      console.log(JSON.stringify(out));
    `;
    const out = JSON.parse(
      execFileSync(process.execPath, ['-e', probe], { cwd: `${ROOT}/packages/node-red`, encoding: 'utf8' }).trim(),
    ) as Record<string, unknown>;
    expect(out).toEqual({
      main: Object.values(JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as object).filter((kind) => kind === 'value')
        .length,
      'dist/lib/internal': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'dist/lib/client/client': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'dist/lib/host/output': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });
});
