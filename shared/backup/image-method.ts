/**
 * How the AMI of an instance backup is made, and what of the instance it keeps.
 *
 * RegisterImage API reference (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html):
 * "AMIs for Windows, RedHat, SUSE, and SQL Server require correct licensing information to be
 * present on the AMI … the RegisterImage operation derives the correct billing information from
 * the snapshot's metadata, but this requires the appropriate metadata to be present. To verify
 * if the correct billing information was applied, check the PlatformDetails field on the new
 * AMI. If the field is empty or doesn't match the expected operating system code … discard the
 * AMI and instead create the AMI from an instance."
 *
 * Decisions:
 * - The platforms that page names go **straight to CreateImage**: registering first would cost
 *   a RegisterImage, a wait until the AMI is available, a DeregisterImage and then the
 *   CreateImage anyway whenever the metadata is missing — and nothing says when it is present.
 * - Every other instance is registered from its snapshots (one crash-consistent set, no
 *   touch of the running instance) and the new AMI's `PlatformDetails` / `UsageOperation` are
 *   compared with the instance's once it is available; a mismatch (a BYOL or another billed
 *   platform the page does not list) discards it and takes CreateImage.
 * - Marketplace product codes follow the snapshots (same page), so they alone do not need
 *   CreateImage; they forbid making the AMI public (ModifyImageAttribute API reference).
 */
import * as z from 'zod';

/** `PlatformDetails` values (EC2 User Guide, "AMI billing information fields") of licensed platforms. */
const LICENSED_PLATFORM_PATTERN = /^(Windows|Red Hat Enterprise Linux|SUSE Linux)\b|SQL Server/;

/** What an AMI without any billing product reports. */
const PLAIN_LINUX = { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' } as const;

export const imageMethodSchema = z.enum(['register', 'create-image']);
export type ImageMethod = z.infer<typeof imageMethodSchema>;

export const productCodeSchema = z
  .object({ productCodeId: z.string().min(1), type: z.enum(['devpay', 'marketplace']) })
  .strict();
export type ProductCode = z.infer<typeof productCodeSchema>;

export interface MethodChoice {
  method: ImageMethod;
  /** One line for the run summary. */
  reason: string;
}

/** The source instance's billing as DescribeInstances reports it (either may be absent). */
export interface SourceBilling {
  platformDetails?: string | undefined;
  usageOperation?: string | undefined;
}

const describe = (b: SourceBilling): string =>
  `${b.platformDetails ?? 'no PlatformDetails'} (${b.usageOperation ?? 'no UsageOperation'})`;

/**
 * CreateImage for the licensed platforms RegisterImage may strip, RegisterImage (then
 * checked) for the rest.
 *
 * @example
 * chooseImageMethod({ platformDetails: 'Windows', usageOperation: 'RunInstances:0002' });
 * // { method: 'create-image', reason: 'Windows (RunInstances:0002) is a licensed platform: …' }
 * chooseImageMethod({ platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' });
 * // { method: 'register', reason: 'Linux/UNIX (RunInstances) has no billing product: …' }
 */
export function chooseImageMethod(source: SourceBilling): MethodChoice {
  if (source.platformDetails !== undefined && LICENSED_PLATFORM_PATTERN.test(source.platformDetails)) {
    return {
      method: 'create-image',
      reason: `${describe(source)} is a licensed platform: RegisterImage from snapshots may drop its billing information`,
    };
  }
  if (
    source.platformDetails === PLAIN_LINUX.platformDetails &&
    source.usageOperation === PLAIN_LINUX.usageOperation
  ) {
    return {
      method: 'register',
      reason: `${describe(source)} has no billing product: registered from the snapshots`,
    };
  }
  return {
    method: 'register',
    reason: `${describe(source)}: registered from the snapshots, billing information checked once available`,
  };
}

/**
 * Why a registered AMI's billing differs from the instance's, or undefined when it matches.
 * An instance that reports no billing information is expected to register as plain Linux/UNIX.
 *
 * @example
 * billingMismatch({ platformDetails: 'Red Hat BYOL Linux', usageOperation: 'RunInstances:00g0' },
 *   { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' });
 * // 'registered AMI reports Linux/UNIX (RunInstances), the instance Red Hat BYOL Linux (RunInstances:00g0)'
 */
export function billingMismatch(expected: SourceBilling, actual: SourceBilling): string | undefined {
  const want = {
    platformDetails: expected.platformDetails ?? PLAIN_LINUX.platformDetails,
    usageOperation: expected.usageOperation ?? PLAIN_LINUX.usageOperation,
  };
  if (actual.platformDetails === want.platformDetails && actual.usageOperation === want.usageOperation) {
    return undefined;
  }
  return `registered AMI reports ${describe(actual)}, the instance ${describe(want)}`;
}

/**
 * True when one of the product codes is a Marketplace code (such an AMI cannot be public).
 *
 * @example
 * hasMarketplaceCode([{ productCodeId: 'abc', type: 'marketplace' }]); // true
 */
export function hasMarketplaceCode(codes: readonly ProductCode[] | undefined): boolean {
  return (codes ?? []).some((c) => c.type === 'marketplace');
}
