/**
 * The images of a verified list as a filtered, paged table: a list of
 * 10,000 images renders 50 rows, not 10,000 (a 300,000 px page that froze
 * the browser for seconds). The filter matches title, OS, arch, VO and UUID.
 */
import { checksumPrefix, humanSize } from './format.js';
import type { ImageRow } from './protocol.js';

/** Rows per page. */
export const PAGE_ROWS = 50;

/** The elements the table uses. */
export interface TableElements {
  readonly body: HTMLTableSectionElement;
  readonly filter: HTMLInputElement;
  readonly status: HTMLElement;
  readonly prev: HTMLButtonElement;
  readonly next: HTMLButtonElement;
}

/** Lower-case text the filter searches, per row. */
function searchText(r: ImageRow): string {
  return `${r.title}\n${r.os}\n${r.arch}\n${r.vo}\n${r.id}`.toLowerCase();
}

function cell(row: HTMLTableRowElement, label: string, value: string, cls?: string, title?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = value;
  td.dataset['label'] = label;
  if (cls) td.className = cls;
  if (title) td.title = title;
  return td;
}

function renderRow(body: HTMLTableSectionElement, r: ImageRow, matched: string | undefined): void {
  const row = body.insertRow();
  row.dataset['sha512'] = r.sha512;
  row.dataset['size'] = String(r.size);
  row.dataset['id'] = r.id;
  if (matched === r.sha512) row.className = 'match';
  cell(row, 'Title', r.title, undefined, r.id);
  cell(row, 'OS', r.os);
  cell(row, 'Arch', r.arch);
  cell(row, 'VO', r.vo);
  cell(row, 'Size', humanSize(r.size), 'num', `${r.size} bytes`);
  cell(row, 'Version', r.version);
  cell(row, 'SHA-512', checksumPrefix(r.sha512), 'hash', r.sha512);
  const where = cell(row, 'URI', '', 'uri');
  const uri = document.createElement('span');
  uri.className = 'uri-text';
  uri.textContent = r.uri; // text, never a link: the list is data, not navigation
  where.append(uri);
  if (r.description) {
    const d = document.createElement('span');
    d.className = 'description';
    d.textContent = r.description;
    where.append(d);
  }
}

/** A table over `rows`; call `show` with new rows after each verdict. */
export class ImagesTable {
  readonly #els: TableElements;
  #rows: readonly ImageRow[] = [];
  #index: string[] = [];
  #shown: readonly ImageRow[] = [];
  #page = 0;
  #matched: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(els: TableElements) {
    this.#els = els;
    els.filter.addEventListener('input', () => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#apply(), 120); // once typing pauses
    });
    els.prev.addEventListener('click', () => this.#go(this.#page - 1));
    els.next.addEventListener('click', () => this.#go(this.#page + 1));
  }

  /** Replaces the rows (empty to clear) and resets the filter and page. */
  show(rows: readonly ImageRow[]): void {
    this.#rows = rows;
    this.#index = rows.map(searchText);
    this.#els.filter.value = '';
    this.#apply();
  }

  /** Highlights rows with this SHA-512 (undefined: none) and shows the page of the first. */
  highlight(sha512: string | undefined): void {
    this.#matched = sha512;
    const at = sha512 === undefined ? -1 : this.#shown.findIndex((r) => r.sha512 === sha512);
    this.#go(at >= 0 ? Math.floor(at / PAGE_ROWS) : this.#page);
  }

  #apply(): void {
    const words = this.#els.filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    this.#shown = words.length === 0 ? this.#rows : this.#rows.filter((_, i) => words.every((w) => (this.#index[i] ?? '').includes(w)));
    this.#go(0);
  }

  #go(page: number): void {
    const pages = Math.max(1, Math.ceil(this.#shown.length / PAGE_ROWS));
    this.#page = Math.min(Math.max(0, page), pages - 1);
    const from = this.#page * PAGE_ROWS;
    const slice = this.#shown.slice(from, from + PAGE_ROWS);
    const { body, status, prev, next } = this.#els;
    body.replaceChildren();
    for (const r of slice) renderRow(body, r, this.#matched);
    const n = (x: number): string => x.toLocaleString('en');
    const of = this.#shown.length === this.#rows.length ? `${n(this.#rows.length)}` : `${n(this.#shown.length)} matching (of ${n(this.#rows.length)})`;
    status.textContent = this.#shown.length === 0 ? (this.#rows.length === 0 ? '' : `No image matches "${this.#els.filter.value}".`) : `Images ${n(from + 1)}–${n(from + slice.length)} of ${of}`;
    prev.disabled = this.#page === 0;
    next.disabled = this.#page >= pages - 1;
  }
}
