// The ordered list of schema migrations. Append only: never edit one that has shipped.
import type { Migration } from '../migrate.js';
import m001 from './001-base.js';

export const migrations: Migration[] = [m001];
