// `ringside pack create|results`: write an encrypted field pack for a site, or a signed results file from a pack.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { FIELD_RESULTS, readPackHeader, type FieldResult } from '../../core/field/format.js';
import { resultsFromPack } from '../../core/field/merge.js';
import { NO_KEY_CHOICES, type NoKeyChoice } from '../../core/field/packs.js';
import { WorkspaceStorage } from '../storage.js';
import { handlers, parse, printJson, UsageError, withWorkspace, type CliIo, type Command } from './context.js';

/** The passphrase file's content without its final line break; never echoed anywhere. */
export async function readPassphrase(file: string | undefined): Promise<string> {
  if (!file) throw new UsageError('--passphrase-file is required (the passphrase is never taken on the command line)');
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read the passphrase file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return text.replace(/\r?\n$/, '');
}

async function writeOut(file: string, bytes: Uint8Array): Promise<string> {
  const abs = path.resolve(file);
  await new WorkspaceStorage().writeAtomic(abs, bytes, { keepPrevious: false });
  return abs;
}

async function create(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    site: { type: 'string' },
    devices: { type: 'string' },
    'passphrase-file': { type: 'string' },
    expires: { type: 'string' },
    out: { type: 'string' },
    technician: { type: 'string' },
    'without-key': { type: 'string' },
    json: { type: 'boolean' },
  });
  const [file] = positionals;
  const withoutKey = (values['without-key'] ?? 'safe-mode') as NoKeyChoice;
  if (!NO_KEY_CHOICES.includes(withoutKey))
    throw new UsageError(`--without-key must be one of ${NO_KEY_CHOICES.join(', ')}`);
  if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
  if (!values.site && !values.devices) throw new UsageError('give --site S or --devices ID,ID,...');
  if (!values.expires) throw new UsageError('--expires DATE is required (YYYY-MM-DD, end of that day UTC)');
  if (!values.out) throw new UsageError('--out FILE is required');
  const passphrase = await readPassphrase(values['passphrase-file']);
  const deviceIds = values.devices?.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--devices: ${JSON.stringify(s)} is not a device id`);
    return n;
  });
  const pack = await withWorkspace(file, { write: true }, (ws) =>
    handlers.createPack(ws, {
      ...(values.site ? { site: values.site } : {}),
      ...(deviceIds ? { deviceIds } : {}),
      passphrase,
      expiresAt: values.expires!,
      ...(values.technician ? { technician: values.technician } : {}),
      withoutKey: { all: withoutKey },
    }),
  );
  const out = await writeOut(values.out, pack.bytes);
  const summary = {
    packId: pack.packId,
    file: out,
    devices: pack.devices,
    keys: pack.keys,
    expires: new Date(pack.expires).toISOString(),
    withoutKey: pack.noKey,
  };
  if (values.json) printJson(io, summary);
  else {
    if (pack.noKey.length) {
      const what = {
        exclude: 'left out',
        'safe-mode': 'carried with the Safe Mode path',
        reimage: 'carried to reimage',
      };
      io.out(`${pack.noKey.length} device(s) have no valid recovery key:`);
      for (const n of pack.noKey)
        io.out(`  ${n.hostname}: ${n.reason.replace(/-/g, ' ')} (${n.detail}) - ${what[n.choice]}`);
      if (withoutKey !== 'exclude') io.out('  (--without-key exclude leaves them out of the pack)');
    }
    io.out(
      `wrote ${out}: pack ${pack.packId}, ${pack.devices} device(s), ${pack.keys} recovery key(s), expires ${summary.expires}\n` +
        'The pack holds recovery keys: hand it over and the passphrase separately. Its keys are now on the rotation list.',
    );
  }
  return 0;
}

async function results(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    'passphrase-file': { type: 'string' },
    set: { type: 'string', multiple: true },
    out: { type: 'string' },
    technician: { type: 'string' },
    method: { type: 'string' },
  });
  const [packFile] = positionals;
  if (!packFile || positionals.length > 1) throw new UsageError('give exactly one pack file');
  if (!values.out) throw new UsageError('--out FILE is required');
  if (!values.set?.length) throw new UsageError('give at least one --set <host>=<result>');
  const set = values.set.map((s) => {
    const m = /^([^=]+)=(.+)$/.exec(s);
    if (!m) throw new UsageError(`--set ${JSON.stringify(s)}: expected <host>=<result>`);
    const result = m[2]!
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    if (!(FIELD_RESULTS as readonly string[]).includes(result))
      throw new UsageError(`--set ${s}: result must be one of ${FIELD_RESULTS.join(', ')}`);
    return { host: m[1]!.trim(), result: result as FieldResult, method: values.method ?? 'manual' };
  });
  const bytes = new Uint8Array(await fsp.readFile(packFile));
  readPackHeader(bytes);
  const passphrase = await readPassphrase(values['passphrase-file']);
  const signed = await resultsFromPack(bytes, passphrase, Date.now(), values.technician ?? 'cli', set);
  const out = await writeOut(values.out, signed);
  io.out(`wrote ${out}: ${set.length} signed result(s)`);
  return 0;
}

async function revoke(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { reason: { type: 'string' }, json: { type: 'boolean' } });
  const [file, packId] = positionals;
  if (!file || !packId || positionals.length > 2) throw new UsageError('give a workspace file and a pack id');
  const life = await withWorkspace(file, { write: true }, (ws) => handlers.revokePack(ws, packId, values.reason ?? ''));
  if (values.json) printJson(io, life);
  else io.out(`pack ${life.packId} revoked: merge now refuses its results (unless --accept-expired, audited)`);
  return 0;
}

export const packCommand: Command = {
  name: 'pack',
  usage:
    'ringside pack create <workspace> --site S --passphrase-file F --expires DATE --out FILE [--technician T]\n' +
    '      [--without-key safe-mode|reimage|exclude] [--json]   (devices with no valid key: default safe-mode)\n' +
    '  ringside pack results <pack> --passphrase-file F --set <host>=<result>... --out FILE [--technician T]\n' +
    '  ringside pack revoke <workspace> <pack-id> --reason TEXT [--json]',
  summary:
    'Field packs: create an encrypted pack (devices, steps, scripts, only their BitLocker keys) for a site; or write a signed results file from a pack.',
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'create') return create(rest, io);
    if (sub === 'results') return results(rest, io);
    if (sub === 'revoke') return revoke(rest, io);
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (create, results or revoke)`);
  },
};
