/**
 * S3 general-purpose bucket naming rules: 3-63 characters of lower-case letters, digits,
 * dots and hyphens; a letter or digit at both ends; no "..", not an IP address, and none
 * of the reserved prefixes and suffixes.
 */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export const bucketNameProblem = (name: string): string | undefined => {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return 'must use lower-case letters, digits, dots and hyphens, and start and end with a letter or digit';
  }
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return 'uses a reserved prefix';
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return 'uses a reserved suffix';
  return undefined;
};
