/**
 * Local cloud EC2 benchmark: 20,000 CreateSnapshot calls, then DescribeSnapshots page by page
 * (MaxResults 1000 and 100), through the real SDK over HTTP. It reports numbers only: the
 * per-page times of the first and last pages show whether paging stays linear (a cursor
 * found by binary search) rather than re-filtering from the start for every page.
 *
 * Run: npx tsx bench/local-cloud.bench.ts [snapshots]
 */
import { CreateSnapshotCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startLocalCloud } from '@shipyard/local-cloud';

const SNAPSHOTS = Number(process.argv[2] ?? 20_000);
/** Five pending snapshots per volume is the EBS limit, so spread the load over enough volumes. */
const VOLUMES = Math.ceil(SNAPSHOTS / 5);
const CONCURRENCY = 32;
const REGION = 'us-east-1';

const rate = (count: number, ms: number) => Math.round((count * 1000) / ms);
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

const main = async () => {
  const local = await startLocalCloud({ port: 0, clock: { speed: 0 } });
  try {
    const ec2 = new EC2Client({
      endpoint: local.url,
      region: REGION,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      maxAttempts: 1,
    });
    const seeded = await local.control.seed<{ ec2: { volumes: string[] } }>({
      ec2: {
        volumes: Array.from({ length: VOLUMES }, () => ({ region: REGION, sizeGiB: 8, volumeType: 'gp3' })),
      },
    });
    const volumeIds = seeded.ec2.volumes;
    console.log(`local cloud ${local.url}: ${SNAPSHOTS} snapshots over ${volumeIds.length} volumes`);

    // CreateSnapshot
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SNAPSHOTS) {
          const i = next++;
          await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeIds[i % volumeIds.length] }));
        }
      }),
    );
    const createMs = performance.now() - started;
    console.log(
      `CreateSnapshot: ${SNAPSHOTS} requests in ${fmt(createMs)} → ${rate(SNAPSHOTS, createMs)} req/s (concurrency ${CONCURRENCY})`,
    );

    for (const maxResults of [1000, 100]) {
      const pageMs: number[] = [];
      let items = 0;
      let token: string | undefined;
      const listStart = performance.now();
      do {
        const t0 = performance.now();
        const page = await ec2.send(
          new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: maxResults, NextToken: token }),
        );
        pageMs.push(performance.now() - t0);
        items += page.Snapshots?.length ?? 0;
        token = page.NextToken;
      } while (token);
      const listMs = performance.now() - listStart;
      const head = pageMs.slice(0, 3);
      const tail = pageMs.slice(-3);
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      console.log(
        `DescribeSnapshots MaxResults=${maxResults}: ${pageMs.length} pages, ${items} items in ${fmt(listMs)} → ` +
          `${rate(pageMs.length, listMs)} req/s, ${rate(items, listMs)} items/s`,
      );
      console.log(
        `  first pages: ${head.map(fmt).join(', ')} (avg ${fmt(avg(head))}); ` +
          `last pages: ${tail.map(fmt).join(', ')} (avg ${fmt(avg(tail))})`,
      );
    }
  } finally {
    await local.close();
  }
};

await main();
