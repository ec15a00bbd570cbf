// The headless `ringside` CLI: the same core as the app, run in plain Node against workspace files.
import { stdio, UsageError, type CliIo, type Command } from './cli/context.js';
import { commands } from './cli/commands.js';
import { shownLines } from './cli/shown.js';
import { useNodeChunkDeflate } from './node/chunk-deflate.js';

function help(io: CliIo): void {
  io.out('ringside: offline incident console (headless)\n\nCommands:');
  for (const c of commands) io.out(`  ${c.usage}\n      ${c.summary}`);
}

export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  // Raw rows compressed by Node's zlib at level 1 (chunk-deflate.ts), not the platform's CompressionStream.
  useNodeChunkDeflate();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return name ? 0 : 2;
  }
  const cmd: Command | undefined = commands.find((c) => c.name === name);
  if (!cmd) {
    io.err(`ringside: unknown command '${shownLines(name)}' (try 'ringside --help')`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`ringside ${name}: ${shownLines(err.message)}\nusage: ${cmd.usage}`);
      return 2;
    }
    io.err(`ringside ${name}: ${shownLines((err as Error).message)}`);
    return 1;
  }
}

// Run when executed directly (the bundled bin), not when imported by tests.
if (process.argv[1] && /ringside(\.c?js)?$|cli\.(ts|c?js)$/.test(process.argv[1])) {
  // `ringside … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
