/**
 * What every part of the backup workflow's EC2 port shares: the region's SDK client, the
 * page size, and the one way an SDK failure becomes a named backup error.
 */
import type { EC2Client, Filter } from '@aws-sdk/client-ec2';
import type { BackupError, BackupErrorClass } from '../backup/errors.ts';
import type { TagQuery } from '../backup-service/ports/ec2.ts';
import { toBackupError } from './ec2-errors.ts';

export interface Ec2PortContext {
  readonly client: EC2Client;
  readonly region: string;
  readonly pageSize: number;
  /** The error to throw for a failed call (`operation (region)` in its message). */
  failure(error: unknown, operation: string, fallback: BackupErrorClass): BackupError;
  /** Runs one call; any failure becomes a named backup error, `fallback` when unclassified. */
  call<T>(operation: string, fallback: BackupErrorClass, run: () => Promise<T>): Promise<T>;
}

export function ec2PortContext(client: EC2Client, region: string, pageSize: number): Ec2PortContext {
  const failure = (error: unknown, operation: string, fallback: BackupErrorClass): BackupError =>
    toBackupError(error, `${operation} (${region})`, fallback);
  return {
    client,
    region,
    pageSize,
    failure,
    async call(operation, fallback, run) {
      try {
        return await run();
      } catch (error) {
        throw failure(error, operation, fallback);
      }
    },
  };
}

export const NOT_FOUND_IMAGE = new Set(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable']);

/** Id or attribute filters (those given) and then the query's tag filters. */
export function filtersOf(query: TagQuery, extra: Record<string, readonly string[] | undefined>): Filter[] {
  const filters: Filter[] = [];
  for (const [name, values] of Object.entries(extra)) {
    if (values !== undefined) filters.push({ Name: name, Values: [...values] });
  }
  for (const [key, values] of Object.entries(query.tags ?? {}))
    filters.push({ Name: `tag:${key}`, Values: [...values] });
  return filters;
}

/** An id list filter that selects nothing must short-circuit: EC2 rejects empty filter values. */
export const isEmptySelection = (extra: Record<string, readonly string[] | undefined>): boolean =>
  Object.values(extra).some((v) => v !== undefined && v.length === 0);

export async function allPages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...page.items);
    token = page.next;
  } while (token !== undefined && token !== '');
  return out;
}
