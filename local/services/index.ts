import type { LocalService } from '../service.ts';
import { ec2Service } from './ec2/service.ts';

/** Every service the local cloud speaks, by the name SigV4 signs with. */
export const SERVICES: LocalService[] = [ec2Service];

export const serviceByName = new Map(SERVICES.map((s) => [s.name, s]));
