// Whole-file failures of an import: one sentence for the user, or a restart in another encoding.

/** A problem with the whole file (not one row): one clear sentence for the user, never a stack trace. */
export class FileError extends Error {
  constructor(
    message: string,
    readonly field = '(file)',
    readonly line = 0,
  ) {
    super(message);
    this.name = 'FileError';
  }
}

/** Thrown when bytes turn out not to be UTF-8 after part of the file was read: the import restarts as Windows-1252. */
export class EncodingRestart extends Error {
  constructor(readonly offset: number) {
    super('restart as windows-1252');
  }
}
