/**
 * The boot and security attributes of the source instance that its AMI must keep, and the
 * ones that cannot be kept — reported, never dropped silently.
 *
 * Parameters as the botocore EC2 model (`ec2/2016-11-15/service-2.json`) names them:
 * RegisterImageRequest `TpmSupport` (`v2.0`), `UefiData` (base64, ≤64,000 chars), `ImdsSupport`
 * (`v2.0`: instances launched from the AMI get `HttpTokens: required`), `SriovNetSupport`
 * (`simple`) and instance-store `BlockDeviceMappings[{DeviceName, VirtualName}]`;
 * CreateImageRequest has none of them: CreateImage takes them from the instance itself,
 * except `ImdsSupport`, which it has no parameter for.
 */
import type { InstanceStoreMapping, RegisterImageRequest, SourceInstance } from './block-devices.ts';

/** What the caller looked up for RegisterImage besides the instance. */
export interface BootAttributeLookups {
  /** GetInstanceUefiData's answer (asked for UEFI instances only). */
  uefiData?: string | undefined;
  /** The launch AMI's instance-store mappings; undefined when that AMI is not visible. */
  instanceStore?: readonly { deviceName: string; virtualName: string }[] | undefined;
}

export interface AttributeReport {
  carried: string[];
  notCarried: string[];
}

export interface RegisterBootAttributes extends AttributeReport {
  request: Pick<RegisterImageRequest, 'TpmSupport' | 'UefiData' | 'ImdsSupport' | 'SriovNetSupport'>;
  instanceStore: InstanceStoreMapping[];
}

/** True when the instance boots UEFI (its UEFI variable store is then worth keeping). */
export const bootsUefi = (instance: SourceInstance): boolean =>
  instance.currentInstanceBootMode === 'uefi' || instance.bootMode === 'uefi';

const deviceKey = (name: string): string => name.replace(/^\/dev\//, '');

/**
 * The RegisterImage fields that keep the instance's NitroTPM, UEFI variable store, IMDSv2
 * requirement, SR-IOV networking and instance-store mappings, with a report of each.
 *
 * @example
 * registerBootAttributes({ ...instance, bootMode: 'uefi', tpmSupport: 'v2.0', httpTokens: 'required' },
 *   { uefiData: 'QU1J', instanceStore: [] });
 * // { request: { TpmSupport: 'v2.0', UefiData: 'QU1J', ImdsSupport: 'v2.0' },
 * //   carried: ['TpmSupport v2.0', 'UefiData', 'ImdsSupport v2.0'], notCarried: [], instanceStore: [] }
 */
export function registerBootAttributes(
  instance: SourceInstance,
  lookups: BootAttributeLookups,
): RegisterBootAttributes {
  const out: RegisterBootAttributes = { request: {}, instanceStore: [], carried: [], notCarried: [] };
  const uefi = bootsUefi(instance);
  if (instance.tpmSupport === 'v2.0') {
    if (uefi) {
      out.request.TpmSupport = 'v2.0';
      out.carried.push('TpmSupport v2.0');
    } else
      out.notCarried.push('TpmSupport v2.0: NitroTPM needs UEFI boot and the instance boots legacy BIOS');
  }
  if (uefi) {
    if (lookups.uefiData !== undefined && lookups.uefiData !== '') {
      out.request.UefiData = lookups.uefiData;
      out.carried.push('UefiData');
    } else out.notCarried.push('UefiData: GetInstanceUefiData returned no variable store');
  }
  if (instance.httpTokens === 'required') {
    out.request.ImdsSupport = 'v2.0';
    out.carried.push('ImdsSupport v2.0');
  }
  if (instance.sriovNetSupport !== undefined) {
    out.request.SriovNetSupport = instance.sriovNetSupport;
    out.carried.push(`SriovNetSupport ${instance.sriovNetSupport}`);
  }
  if (lookups.instanceStore === undefined) {
    out.notCarried.push(
      `instance-store mappings: launch AMI ${instance.imageId ?? '(unknown)'} is not visible, none carried`,
    );
  } else {
    const ebs = new Set(instance.blockDevices.map((d) => deviceKey(d.deviceName)));
    for (const store of lookups.instanceStore) {
      if (ebs.has(deviceKey(store.deviceName))) continue;
      out.instanceStore.push({ DeviceName: store.deviceName, VirtualName: store.virtualName });
    }
    if (out.instanceStore.length > 0)
      out.carried.push(`instance-store mappings (${out.instanceStore.map((m) => m.VirtualName).join(', ')})`);
  }
  return out;
}

/**
 * What CreateImage keeps of the instance by itself, and what it cannot.
 *
 * @example
 * createImageAttributeReport({ ...instance, httpTokens: 'required' });
 * // { carried: ['boot mode, NitroTPM, UEFI variable store, SR-IOV and instance-store mappings (CreateImage keeps them)'],
 * //   notCarried: ['ImdsSupport v2.0: CreateImage has no ImdsSupport parameter'] }
 */
export function createImageAttributeReport(instance: SourceInstance): AttributeReport {
  const report: AttributeReport = {
    carried: [
      'boot mode, NitroTPM, UEFI variable store, SR-IOV and instance-store mappings (CreateImage keeps them)',
    ],
    notCarried: [],
  };
  if (instance.httpTokens === 'required')
    report.notCarried.push('ImdsSupport v2.0: CreateImage has no ImdsSupport parameter');
  return report;
}
