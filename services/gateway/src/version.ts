// GET /version: the version.Info kube-apiserver 1.36 reports (k8s.io/apimachinery/pkg/version),
// in its field order. kapi speaks the 1.36 API, so it reports itself as 1.36.

/** version.Info. */
export interface VersionInfo {
  major: string;
  minor: string;
  emulationMajor?: string;
  emulationMinor?: string;
  minCompatibilityMajor?: string;
  minCompatibilityMinor?: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** runtime.GOOS/runtime.GOARCH of this process, as Go names them ("linux/amd64"). */
export function goPlatform(): string {
  return `${process.platform}/${GO_ARCH[process.arch] ?? process.arch}`;
}

/** What a kube-apiserver v1.36.0 release build reports; override fields with the options. */
export function defaultVersionInfo(overrides: Partial<VersionInfo> = {}): VersionInfo {
  const info: VersionInfo = {
    major: '1',
    minor: '36',
    emulationMajor: '1',
    emulationMinor: '36',
    minCompatibilityMajor: '1',
    minCompatibilityMinor: '35',
    gitVersion: 'v1.36.0',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-04-22T00:00:00Z',
    goVersion: 'go1.26.2',
    compiler: 'gc',
    platform: goPlatform(),
    ...overrides,
  };
  // Field order as version.Info declares it (the /version body is written in that order);
  // the emulation and compatibility fields are omitempty.
  const ordered: Record<string, string> = { major: info.major, minor: info.minor };
  for (const key of ['emulationMajor', 'emulationMinor', 'minCompatibilityMajor', 'minCompatibilityMinor'] as const) {
    const v = info[key];
    if (v) ordered[key] = v;
  }
  for (const key of ['gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'] as const) {
    ordered[key] = info[key];
  }
  return ordered as unknown as VersionInfo;
}
