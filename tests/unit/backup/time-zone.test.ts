import { describe, expect, it } from 'vitest';
import { isIanaTimeZone } from '../../../shared/backup/time-zone.ts';

describe('isIanaTimeZone', () => {
  it('accepts IANA zone names, again from what it learnt', () => {
    expect(isIanaTimeZone('Asia/Kolkata')).toBe(true);
    expect(isIanaTimeZone('Asia/Kolkata')).toBe(true);
    expect(isIanaTimeZone('UTC')).toBe(true);
  });

  it('refuses names that are not zones, every time', () => {
    for (const name of ['Mars/Olympus', 'Mars/Olympus', '', 'Europe/'])
      expect(isIanaTimeZone(name)).toBe(false);
  });
});
