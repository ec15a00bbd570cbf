// One worksheet's SAX events as rows: cells looked up in the shared strings, and what the import notes counted.
import * as XLSX from '@e965/xlsx';
import { attr, colIndex, type Book, type Cell, type Row, type XmlHandler } from './xlsx-book.js';

/**
 * Turns a sheet's SAX events into rows: each <row> with cells is queued in `pending` (0-based index, dense cells),
 * and what the import notes (hidden rows and columns, merges, formulas, row tags) is counted on the way.
 */
export class SheetRows implements XmlHandler {
  pending: { index: number; cells: Row }[] = [];
  hiddenRows: number[] = [];
  hiddenCols: string[] = [];
  merges: string[] = [];
  rowTags = 0;
  formulas = 0;
  uncached = 0;
  private row: Row | null = null;
  private rowIndex = -1;
  private col = -1;
  private cell: { t: string; s: number; f: boolean; v: string[]; inline: string[] } | null = null;
  private inV = false;
  private inT = false;
  private rph = 0;

  constructor(private readonly book: Book) {}

  /**
   * Empty rows (`<row r="9" s="1" ht="15"/>`: formatting only) are counted here and never reach the parser: a sheet
   * may hold a million of them below its data, and building each one's attributes would take seconds.
   */
  prefilter(xml: string): string {
    return xml.replace(/<(?:\w+:)?row\b[^>]*\/>/g, (tag) => {
      this.rowTags++;
      const r = attr(tag, 'r');
      this.rowIndex = r ? Number(r) - 1 : this.rowIndex + 1;
      if (/\shidden="(1|true)"/.test(tag) && this.hiddenRows.length < 1000) this.hiddenRows.push(this.rowIndex + 1);
      return '';
    });
  }

  open(n: string, a: Record<string, string>): void {
    switch (n) {
      case 'row': {
        this.rowTags++;
        this.rowIndex = a.r ? Number(a.r) - 1 : this.rowIndex + 1;
        this.row = [];
        this.col = -1;
        if ((a.hidden === '1' || a.hidden === 'true') && this.hiddenRows.length < 1000)
          this.hiddenRows.push(this.rowIndex + 1);
        break;
      }
      case 'c':
        this.col = a.r ? colIndex(a.r) : this.col + 1;
        this.cell = { t: a.t ?? 'n', s: Number(a.s ?? 0), f: false, v: [], inline: [] };
        break;
      case 'v':
        this.inV = true;
        break;
      case 'f':
        this.formulas++;
        if (this.cell) this.cell.f = true;
        break;
      case 't':
        this.inT = true;
        break;
      case 'rPh':
        this.rph++;
        break;
      case 'col':
        if ((a.hidden === '1' || a.hidden === 'true') && this.hiddenCols.length < 1000) {
          const min = Number(a.min);
          const max = Number(a.max);
          for (let c = min; c <= Math.min(max, min + 50); c++) this.hiddenCols.push(XLSX.utils.encode_col(c - 1));
        }
        break;
      case 'mergeCell':
        if (a.ref && this.merges.length < 10000) this.merges.push(a.ref);
        break;
    }
  }

  close(n: string): void {
    switch (n) {
      case 'v':
        this.inV = false;
        break;
      case 't':
        this.inT = false;
        break;
      case 'rPh':
        this.rph--;
        break;
      case 'c': {
        const c = this.cell;
        this.cell = null;
        if (!c || !this.row || this.col < 0 || this.col > 16383) break;
        const cell = this.toCell(c);
        if (cell) this.row[this.col] = cell;
        break;
      }
      case 'row':
        if (this.row?.length) this.pending.push({ index: this.rowIndex, cells: this.row });
        this.row = null;
        break;
    }
  }

  text(t: string): void {
    if (!this.cell) return;
    if (this.inV) this.cell.v.push(t);
    else if (this.inT && !this.rph) this.cell.inline.push(t);
  }

  private toCell(c: { t: string; s: number; f: boolean; v: string[]; inline: string[] }): Cell | null {
    const v = c.v.join('');
    if (c.t === 'inlineStr') return { t: 's', v: c.inline.join('') };
    if (v === '') {
      // A formula with no saved value: openpyxl and scripts write none, and Excel did not recalculate the file.
      if (c.f) {
        this.uncached++;
        return { t: 'z', v: '' };
      }
      return null;
    }
    switch (c.t) {
      case 's':
        return { t: 's', v: this.book.sst[Number(v)] ?? '' };
      case 'str':
        return { t: 's', v };
      case 'b':
        return { t: 'b', v: v === '1' || v === 'true' };
      case 'e':
        return { t: 'e', v };
      case 'd':
        return { t: 'd', v };
      default: {
        const num = Number(v);
        if (Number.isNaN(num)) return { t: 's', v };
        return { t: 'n', v: num, z: this.book.formats[c.s] };
      }
    }
  }
}
