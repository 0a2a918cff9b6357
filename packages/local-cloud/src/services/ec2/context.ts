import type { LocalCloud } from '../../cloud.ts';
import type { QueryParams } from '../../protocol/query.ts';
import type { XmlObject } from '../../protocol/xml.ts';
import type { Ec2Store, RegionState } from './store.ts';

/** What an EC2 action sees: the caller's region state, its parameters and the clock. */
export interface Ec2Context {
  cloud: LocalCloud;
  store: Ec2Store;
  region: string;
  state: RegionState;
  params: QueryParams;
  requestId: string;
  now: number;
}

export type Ec2Action = (ctx: Ec2Context) => XmlObject;
