/**
 * How a run used each destination region's copy slots, read back from EC2 after it: every
 * copy's start (its CreationDate) and length (the durations' copy time for its source's size),
 * and when its source AMI became available (CreationDate + the registration time). Minute by
 * minute it counts the copies running and the copies whose AMI was ready but not yet copying:
 * a slot idle while a copy was ready is time no AWS limit imposed (the schedule's loss).
 */
import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import type { Durations } from '@shipyard/local-cloud';
import { copyDurationMs } from '@shipyard/local-cloud';

export interface RegionSlots {
  region: string;
  copies: number;
  /** Running copies ÷ (slots × minutes), from the first source AMI ready to the last copy's end. */
  utilization: number;
  /** Slot-minutes idle while a ready copy waited: min(free slots, copies waiting), summed. */
  idleWhileReadySlotMinutes: number;
  /** Minutes from a copy's AMI ready to its start: mean and largest. */
  meanWaitMinutes: number;
  maxWaitMinutes: number;
  /** Copies running at the start of each 30-minute window, from the first AMI ready. */
  runningEvery30Minutes: number[];
  /** Copies ready but not started at the same instants. */
  waitingEvery30Minutes: number[];
}

const MINUTE = 60_000;

async function imagesIn(url: string, region: string): Promise<Image[]> {
  const ec2 = new EC2Client({
    endpoint: url,
    region,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 10,
  });
  const images: Image[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 1000, NextToken }));
    images.push(...(page.Images ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return images;
}

const createdAt = (image: Image): number => Date.parse(image.CreationDate ?? '');

export async function copySlots(
  url: string,
  source: string,
  copyRegions: readonly string[],
  durations: Durations,
  slots: number,
): Promise<RegionSlots[]> {
  const sources = new Map((await imagesIn(url, source)).map((i) => [i.ImageId ?? '', i]));
  const result: RegionSlots[] = [];
  for (const region of copyRegions) {
    const copies = (await imagesIn(url, region)).flatMap((copy) => {
      const from = sources.get(copy.SourceImageId ?? '');
      if (!from) return [];
      const gib = (from.BlockDeviceMappings ?? []).reduce((n, d) => n + (d.Ebs?.VolumeSize ?? 0), 0);
      const start = createdAt(copy);
      return [
        {
          ready: createdAt(from) + durations.registerImageMs,
          start,
          end: start + copyDurationMs(durations, gib, source, region),
        },
      ];
    });
    if (copies.length === 0) continue;
    const from = Math.min(...copies.map((c) => c.ready));
    const until = Math.max(...copies.map((c) => c.end));
    let busy = 0;
    let idle = 0;
    const running: number[] = [];
    const waiting: number[] = [];
    for (let t = from, minute = 0; t < until; t += MINUTE, minute += 1) {
      const run = copies.filter((c) => c.start <= t && t < c.end).length;
      const ready = copies.filter((c) => c.ready <= t && t < c.start).length;
      busy += run;
      idle += Math.min(Math.max(0, slots - run), ready);
      if (minute % 30 === 0) {
        running.push(run);
        waiting.push(ready);
      }
    }
    const waits = copies.map((c) => Math.max(0, c.start - c.ready) / MINUTE);
    result.push({
      region,
      copies: copies.length,
      utilization: busy / (slots * Math.max(1, Math.ceil((until - from) / MINUTE))),
      idleWhileReadySlotMinutes: idle,
      meanWaitMinutes: waits.reduce((a, b) => a + b, 0) / waits.length,
      maxWaitMinutes: Math.max(...waits),
      runningEvery30Minutes: running,
      waitingEvery30Minutes: waiting,
    });
  }
  return result;
}
