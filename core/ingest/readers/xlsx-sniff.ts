// Tells workbooks apart before any parser sees them: XLSX, encrypted OOXML, legacy .xls (BIFF), or a cut-off ZIP.
import { FileError } from '../errors.js';

export type WorkbookKind = 'xlsx' | 'not-workbook';

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function isCfb(b: Uint8Array): boolean {
  return CFB_MAGIC.every((v, i) => b[i] === v);
}

/** Whether `name` appears as UTF-16LE text (how CFB directory entries store stream names). */
function hasUtf16(b: Uint8Array, name: string): boolean {
  const pat = new Uint8Array(name.length * 2);
  for (let i = 0; i < name.length; i++) pat[i * 2] = name.charCodeAt(i);
  outer: for (let i = 0; i + pat.length <= b.length; i++) {
    for (let j = 0; j < pat.length; j++) if (b[i + j] !== pat[j]) continue outer;
    return true;
  }
  return false;
}

/** Offset of the ZIP end-of-central-directory record (searched back over the 64 KiB comment limit), or -1. */
function eocd(b: Uint8Array): number {
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--)
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) return i;
  return -1;
}

/**
 * Classifies a whole file's bytes. Throws one FileError naming the file for workbooks Ringside cannot read
 * (encrypted, .xls, truncated); returns 'xlsx' for an OOXML workbook and 'not-workbook' for anything else.
 */
export function sniffWorkbook(bytes: Uint8Array, fileName: string): WorkbookKind {
  if (isCfb(bytes)) {
    if (hasUtf16(bytes, 'EncryptedPackage') || hasUtf16(bytes, 'EncryptionInfo'))
      throw new FileError(
        `${fileName} is an encrypted (password-protected) workbook: open it in Excel, remove the password, save it and import it again`,
        '(file)',
        0,
      );
    if (hasUtf16(bytes, 'Workbook') || hasUtf16(bytes, 'Book'))
      throw new FileError(
        `${fileName} is an Excel 97-2003 workbook (.xls, BIFF), which is not read: save it as .xlsx or CSV and import that`,
        '(file)',
        0,
      );
    return 'not-workbook';
  }
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b)) return 'not-workbook';
  const end = eocd(bytes);
  // No end record: the ZIP (workbook or not) was cut off, and no reader could list its entries.
  if (end < 0)
    throw new FileError(
      `${fileName} is cut off: its ZIP directory is missing (the file was not copied or saved completely)`,
      '(file)',
      0,
    );
  // The central directory lists every entry name: an XLSX has xl/workbook.xml.
  const dir = new TextDecoder('latin1').decode(bytes.subarray(Math.max(0, end - (1 << 20)), end));
  return dir.includes('xl/workbook.xml') ? 'xlsx' : 'not-workbook';
}
