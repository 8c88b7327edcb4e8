// kube-apiserver's admission plugin flags (--enable-admission-plugins, --disable-admission-plugins),
// shared by `kapi up`, `kapi run admission` and `kapi cluster`: checked when parsed (an unknown
// plugin is an error), resolved to kube's ordered list for the admission service.

import { type Command, InvalidArgumentError } from 'commander';
import { resolveAdmissionPlugins } from '@kapi/admission';

export interface AdmissionFlags {
  enableAdmissionPlugins?: string[];
  disableAdmissionPlugins?: string[];
}

const list = (value: string) => value.split(',').map((s) => s.trim()).filter((s) => s !== '');

export function addAdmissionFlags(cmd: Command): Command {
  return cmd
    .option('--enable-admission-plugins <list>', 'admission plugins to turn on besides the default ones (kube names, comma-separated)', list)
    .option('--disable-admission-plugins <list>', 'admission plugins to turn off, default ones included', list);
}

export function admissionFlagsFrom(o: Record<string, unknown>): AdmissionFlags {
  const flags: AdmissionFlags = { enableAdmissionPlugins: o.enableAdmissionPlugins as string[] | undefined, disableAdmissionPlugins: o.disableAdmissionPlugins as string[] | undefined };
  try {
    admissionPluginsOf(flags);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return flags;
}

/** The ordered plugin list the admission service runs. */
export function admissionPluginsOf(f: AdmissionFlags): string[] {
  return resolveAdmissionPlugins(f.enableAdmissionPlugins ?? [], f.disableAdmissionPlugins ?? []);
}

/** The flags again, as `kapi run admission` arguments. */
export function admissionFlagArgs(f: AdmissionFlags): string[] {
  const args: string[] = [];
  if (f.enableAdmissionPlugins?.length) args.push('--enable-admission-plugins', f.enableAdmissionPlugins.join(','));
  if (f.disableAdmissionPlugins?.length) args.push('--disable-admission-plugins', f.disableAdmissionPlugins.join(','));
  return args;
}
