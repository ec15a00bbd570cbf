// The electron-builder config: valid against electron-builder's own schema, all targets, fuses, only built files.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const yaml = require('js-yaml') as { load(text: string): unknown };
const Ajv = require('ajv').default as new (opts: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null };
};

type Config = Record<string, unknown> & {
  directories: { app: string; buildResources: string; output: string };
  files: string[];
  electronFuses: Record<string, boolean>;
  fileAssociations: { ext: string; name: string; mimeType: string }[];
  linux: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
};
const config = yaml.load(readFileSync(`${root}build/electron-builder.yml`, 'utf8')) as Config;

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf: Buffer): [number, number] {
  expect(buf.subarray(1, 4).toString('ascii')).toBe('PNG');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

describe('build/electron-builder.yml', () => {
  it("validates against electron-builder's own schema (node_modules/app-builder-lib/scheme.json)", () => {
    const schema = JSON.parse(readFileSync(`${root}node_modules/app-builder-lib/scheme.json`, 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
    // The schema is strict enough to catch a typo.
    expect(validate({ ...config, electronFuse: {} })).toBe(false);
    expect(validate({ ...config, electronFuses: { runAsNode: false, runAsNodeTypo: true } })).toBe(false);
  });

  it('sets the security fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it('targets Linux AppImage+deb, Windows nsis+portable, macOS dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis', 'portable']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('packages only the built files: app dir dist/, no dependencies, no CLI, no source maps', () => {
    expect(config.directories).toEqual({ app: 'dist', buildResources: 'build', output: 'release' });
    expect(config.files).toEqual(['electron/**', 'renderer/**', 'package.json', '!cli/**', '!**/*.map']);
    for (const f of config.files) expect(f, f).not.toMatch(/node_modules|\.\.|^\/|src|\.ts$/);
    const builder = readFileSync(`${root}electron/build.mjs`, 'utf8');
    expect(builder).toContain('dist/package.json');
    if (existsSync(`${root}dist/package.json`)) {
      const appPkg = JSON.parse(readFileSync(`${root}dist/package.json`, 'utf8')) as Record<string, unknown>;
      expect(appPkg.main).toBe('electron/main.cjs');
      expect(appPkg).not.toHaveProperty('dependencies');
      expect(appPkg).not.toHaveProperty('devDependencies');
      expect(existsSync(`${root}dist/${appPkg.main as string}`)).toBe(true);
    }
  });

  it('associates .ringside workspaces and .ringpack field packs', () => {
    expect(config.fileAssociations.map((a) => [a.ext, a.mimeType])).toEqual([
      ['ringside', 'application/x-ringside-workspace'],
      ['ringpack', 'application/x-ringside-fieldpack'],
    ]);
    const channels = readFileSync(`${root}electron/host/channels.ts`, 'utf8');
    expect(channels).toContain("WORKSPACE_EXT = '.ringside'");
    expect(channels).toContain("FIELD_PACK_EXT = '.ringpack'");
  });

  it('has icons for every platform in build/', () => {
    for (const s of [16, 32, 48, 64, 128, 256, 512, 1024])
      expect(pngSize(readFileSync(`${root}build/icons/${s}x${s}.png`))).toEqual([s, s]);
    expect(pngSize(readFileSync(`${root}build/icon.png`))).toEqual([1024, 1024]);
    const ico = readFileSync(`${root}${config.win.icon}`);
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(5);
    expect(ico[6 + 16 * (ico.readUInt16LE(4) - 1)]).toBe(0); // the last entry is 256 px (stored as 0)
    const icns = readFileSync(`${root}${config.mac.icon}`);
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    expect(icns.includes(Buffer.from('ic10'))).toBe(true); // 1024 px
    expect(config.linux.icon).toBe('build/icons');
  });
});
