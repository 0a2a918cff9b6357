/** The moto_server helper itself: a missing binary fails loudly (never a silent skip). */

import { findMotoServer, freePort, MOTO_BINARY } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';

describe('moto helper', () => {
  it('fails with a clear message when moto_server is not on PATH', () => {
    // Prepare
    const path = '/nonexistent-a:/nonexistent-b';
    // Act
    const find = () => findMotoServer(path);
    // Assess
    expect(find).toThrow(`${MOTO_BINARY} not found on PATH`);
    expect(find).toThrow('these tests never skip');
  });

  it('finds moto_server on this machine (installed everywhere the tests run, CI included)', () => {
    // Act
    const binary = findMotoServer();
    // Assess
    expect(binary).toMatch(/\/moto_server$/);
  });

  it('picks a free port by binding port 0', async () => {
    // Act
    const port = await freePort();
    // Assess
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
  });
});
