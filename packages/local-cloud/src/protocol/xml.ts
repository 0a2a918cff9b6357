/**
 * A minimal XML writer for AWS responses. Plain arrays are written as EC2 does
 * (`<key><item>…</item></key>`); `list(name, items)` names the member element as the
 * REST-XML services do (`<Items><Path>…</Path></Items>`); `flat(items)` repeats the key
 * itself with no wrapper (S3's `<Contents>` entries).
 */
export type XmlValue =
  | string
  | number
  | boolean
  | Date
  | null
  | undefined
  | XmlObject
  | XmlValue[]
  | XmlList
  | XmlFlat;
export interface XmlObject {
  [key: string]: XmlValue;
}

export class XmlList {
  constructor(
    readonly itemName: string,
    readonly items: XmlValue[],
  ) {}
}
export class XmlFlat {
  constructor(readonly items: XmlValue[]) {}
}

export const list = (itemName: string, items: XmlValue[]): XmlList => new XmlList(itemName, items);
export const flat = (items: XmlValue[]): XmlFlat => new XmlFlat(items);

export const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

const scalar = (value: string | number | boolean | Date): string =>
  value instanceof Date ? value.toISOString() : escapeXml(String(value));

const element = (name: string, value: XmlValue): string => {
  if (value === undefined || value === null) return '';
  if (value instanceof XmlFlat) return value.items.map((item) => element(name, item)).join('');
  return `<${name}>${content(value)}</${name}>`;
};

const content = (value: XmlValue): string => {
  if (value === undefined || value === null) return '';
  if (value instanceof XmlList) return value.items.map((item) => element(value.itemName, item)).join('');
  if (Array.isArray(value)) return value.map((item) => element('item', item)).join('');
  if (value instanceof XmlFlat) return value.items.map((item) => content(item)).join('');
  if (typeof value === 'object' && !(value instanceof Date)) {
    return Object.entries(value)
      .map(([key, child]) => element(key, child))
      .join('');
  }
  return scalar(value);
};

/** A whole document with a root element and optional xmlns. */
export const xmlDocument = (root: string, body: XmlObject, xmlns?: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${xmlns ? ` xmlns="${xmlns}"` : ''}>${content(body)}</${root}>`;
