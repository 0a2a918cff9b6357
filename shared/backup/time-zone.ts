import { IANAZone } from 'luxon';

/**
 * Zone names already found valid. luxon checks a name by building an `Intl.DateTimeFormat`
 * for it (tens of µs), and a backup run validates its policy's zone at every step of every
 * target; only valid names are kept, so the set is bounded by the IANA database.
 */
const validZones = new Set<string>();

/**
 * True for an IANA time zone name.
 *
 * @example
 * isIanaTimeZone('Europe/Berlin'); // true
 * isIanaTimeZone('Mars/Olympus'); // false
 */
export function isIanaTimeZone(name: string): boolean {
  if (validZones.has(name)) return true;
  if (!IANAZone.isValidZone(name)) return false;
  validZones.add(name);
  return true;
}
