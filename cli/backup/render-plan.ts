/** Human text for a dry run's plan (shared/backup/plan.ts DryRunPlan); read leniently like the summary. */
import * as z from 'zod';

const volume = z.object({ volumeId: z.string(), sizeGiB: z.number(), volumeType: z.string() });
const planSchema = z.object({
  selection: z
    .object({
      found: z.number(),
      maxTargetsPerRun: z.number(),
      exceeded: z.boolean(),
      notPlanned: z.array(z.string()).optional(),
    })
    .optional(),
  targets: z.array(
    z.object({
      target: z.string(),
      failure: z.string().optional(),
      plan: z
        .object({
          snapshots: z.object({
            volumes: z.array(volume),
            excluded: z.array(z.object({ volumeId: z.string(), reason: z.string() })),
          }),
          image: z
            .object({
              name: z.string(),
              architecture: z.string(),
              bootMode: z.string().optional(),
              rootDeviceName: z.string(),
              blockDeviceMappings: z.array(z.unknown()),
              method: z.string().optional(),
              methodReason: z.string().optional(),
            })
            .optional(),
          copies: z.array(z.object({ region: z.string(), kmsKeyId: z.string().optional() })),
          share: z
            .object({
              regions: z.array(z.string()),
              accountIds: z.array(z.string()),
              organizationArns: z.array(z.string()),
              organizationalUnitArns: z.array(z.string()),
              public: z.boolean(),
            })
            .optional(),
          rotation: z.array(
            z.object({
              region: z.string(),
              report: z.object({ keptBackups: z.number() }),
              wouldDelete: z.array(z.object({ id: z.string(), reason: z.string() })),
            }),
          ),
        })
        .optional(),
    }),
  ),
  totals: z.object({
    snapshots: z.number(),
    totalGiB: z.number(),
    images: z.number(),
    copies: z.number(),
    wouldDelete: z.number(),
  }),
});

type TargetPlanView = NonNullable<z.infer<typeof planSchema>['targets'][number]['plan']>;

function targetLines(plan: TargetPlanView): string[] {
  const { snapshots, image, copies, share } = plan;
  const lines = [
    `    snapshot ${snapshots.volumes.map((v) => `${v.volumeId} (${v.sizeGiB} GiB ${v.volumeType})`).join(', ')}`,
  ];
  for (const x of snapshots.excluded) lines.push(`    excluded ${x.volumeId} (${x.reason})`);
  if (image) {
    const boot = image.bootMode ? `, ${image.bootMode}` : '';
    lines.push(
      `    AMI ${image.name} (${image.architecture}${boot}, root ${image.rootDeviceName}, ${image.blockDeviceMappings.length} mapping(s))`,
    );
    if (image.method)
      lines.push(
        `    by ${image.method === 'create-image' ? 'CreateImage' : 'RegisterImage'} (${image.method}): ${image.methodReason ?? ''}`,
      );
  }
  if (copies.length > 0) {
    lines.push(
      `    copy to ${copies.map((c) => (c.kmsKeyId ? `${c.region} (KMS ${c.kmsKeyId})` : c.region)).join(', ')}`,
    );
  }
  if (share) {
    const whom = [
      `${share.accountIds.length} account(s)`,
      `${share.organizationArns.length} organization(s)`,
      `${share.organizationalUnitArns.length} OU(s)`,
    ].join(', ');
    lines.push(
      `    share in ${share.regions.join(', ')} with ${whom}${share.public ? '; PUBLIC' : '; not public'}`,
    );
  }
  for (const r of plan.rotation) {
    const deletes = r.wouldDelete.map((i) => `${i.id} (${i.reason})`).join(', ');
    lines.push(
      `    rotation ${r.region}: keep ${r.report.keptBackups} backup(s), would delete ${r.wouldDelete.length} resource(s)${deletes ? `: ${deletes}` : ''}`,
    );
  }
  return lines;
}

/**
 * @example
 * planText(summary.plan);
 * // ['Would snapshot 4 volume(s) (86 GiB), register 3 AMI(s), make 6 copy(ies), delete 6 old resource(s)', '  i-0abc', '    snapshot vol-… (8 GiB gp3)', …]
 */
export function dryRunPlanText(plan: unknown): string[] {
  const parsed = planSchema.safeParse(plan);
  if (!parsed.success) return [];
  const { totals, targets, selection } = parsed.data;
  const lines = [
    `Would snapshot ${totals.snapshots} volume(s) (${totals.totalGiB} GiB), register ${totals.images} AMI(s), make ${totals.copies} copy(ies), delete ${totals.wouldDelete} old resource(s)`,
  ];
  if (selection?.exceeded) {
    lines.push(
      `  a real run would stop before creating anything: ${selection.found} targets selected, maxTargetsPerRun is ${selection.maxTargetsPerRun}; the first ${selection.maxTargetsPerRun} are planned below`,
    );
  }
  for (const t of targets) {
    lines.push(t.failure ? `  ${t.target} would FAIL: ${t.failure}` : `  ${t.target}`);
    if (t.plan) lines.push(...targetLines(t.plan));
  }
  return lines;
}
