import { XMLParser } from 'fast-xml-parser';
import type { AwsError } from '../aws-error.ts';

/** A parsed XML element: text, or child elements by name (repeated names become arrays). */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };

/**
 * Request bodies of the REST-XML services (CloudFront, S3). Values stay strings exactly
 * as sent: no number coercion (an S3 key "007" is not 7) and no trimming (a path with a
 * trailing space is a different, invalid path).
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // Numeric character references (&#x0D;) are how the SDKs escape control characters.
  htmlEntities: true,
});

/** Drops the whitespace between elements that `trimValues: false` keeps as `#text`. */
const clean = (node: unknown): XmlNode => {
  if (typeof node !== 'object' || node === null) return String(node ?? '');
  if (Array.isArray(node)) throw new Error('unexpected array node');
  const out: Record<string, XmlNode | XmlNode[]> = {};
  for (const [name, value] of Object.entries(node)) {
    if (name === '#text' && typeof value === 'string' && value.trim() === '') continue;
    out[name] = Array.isArray(value) ? value.map(clean) : clean(value);
  }
  return out;
};

/**
 * Parses a request body and returns its root element, checking the root's name.
 * `malformed` is the service's error for a body that is not the expected XML.
 */
export const parseXmlBody = (body: Buffer, root: string, malformed: () => AwsError): XmlNode => {
  let parsed: unknown;
  try {
    parsed = parser.parse(body.toString('utf8'), true);
  } catch {
    throw malformed();
  }
  if (typeof parsed !== 'object' || parsed === null || !(root in parsed)) throw malformed();
  const cleaned = clean(parsed);
  if (typeof cleaned === 'string') throw malformed();
  const node = cleaned[root];
  if (node === undefined || Array.isArray(node)) throw malformed();
  return node;
};

/** The child element `name` (the first one if repeated). */
export const child = (node: XmlNode | undefined, name: string): XmlNode | undefined => {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Every child element `name`, whether it appeared once or many times. */
export const children = (node: XmlNode | undefined, name: string): XmlNode[] => {
  if (node === undefined || typeof node === 'string') return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
};

/** Text content of an element; `''` for an empty element, undefined when absent. */
const text = (node: XmlNode | undefined): string | undefined => {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  const inner = node['#text'];
  if (typeof inner === 'string') return inner;
  return Object.keys(node).length === 0 ? '' : undefined;
};

/** Text of the child element `name`. */
export const childText = (node: XmlNode | undefined, name: string): string | undefined =>
  text(child(node, name));
