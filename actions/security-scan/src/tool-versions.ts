/**
 * Pinned scanner releases and the SHA-256 of each release asset, verified before a tool runs
 * (trivy-action's tags were hijacked in March 2026, CVE-2026-33634: never run a tool by a moving tag).
 *
 * Checksums are the values of each project's `*_checksums.txt` release file for that asset, as recorded by
 * several independent public pinning scripts (each value here was found identical in at least two). Platforms without an entry
 * need `tool-versions: <tool>=<version>@sha256:<hex>`.
 */

/** How a release asset is packaged. */
export type AssetKind = 'tar.gz' | 'binary';

/** One binary tool: where its releases live and how assets are named. */
export interface ToolSpec {
  /** GitHub `owner/repo` of the releases. */
  repository: string;
  /** The executable's name inside the archive (or the name to give a bare binary). */
  executable: string;
  kind: AssetKind;
  /** The asset file name for a version on a platform/arch, or undefined when the project ships none. */
  asset(version: string, platform: NodeJS.Platform, arch: string): string | undefined;
  /** The pinned version. */
  version: string;
  /** SHA-256 (hex) by asset file name, for the pinned version (and any other recorded). */
  sha256: Record<string, string>;
}

const goArch = (arch: string): string | undefined => ({ x64: 'amd64', arm64: 'arm64' })[arch];

export const TOOLS: Record<string, ToolSpec> = {
  trivy: {
    repository: 'aquasecurity/trivy',
    executable: 'trivy',
    kind: 'tar.gz',
    version: '0.69.3',
    asset: (version, platform, arch) => {
      const os = ({ linux: 'Linux', darwin: 'macOS' } as Record<string, string>)[platform];
      const cpu = ({ x64: '64bit', arm64: 'ARM64' } as Record<string, string>)[arch];
      return os === undefined || cpu === undefined ? undefined : `trivy_${version}_${os}-${cpu}.tar.gz`;
    },
    sha256: {
      'trivy_0.69.3_Linux-64bit.tar.gz': '1816b632dfe529869c740c0913e36bd1629cb7688bd5634f4a858c1d57c88b75',
    },
  },
  gitleaks: {
    repository: 'gitleaks/gitleaks',
    executable: 'gitleaks',
    kind: 'tar.gz',
    version: '8.30.1',
    asset: (version, platform, arch) => {
      const cpu = ({ x64: 'x64', arm64: 'arm64' } as Record<string, string>)[arch];
      return (platform === 'linux' || platform === 'darwin') && cpu !== undefined
        ? `gitleaks_${version}_${platform}_${cpu}.tar.gz`
        : undefined;
    },
    sha256: {
      'gitleaks_8.30.1_linux_x64.tar.gz': '551f6fc83ea457d62a0d98237cbad105af8d557003051f41f3e7ca7b3f2470eb',
      'gitleaks_8.30.1_darwin_x64.tar.gz': 'dfe101a4db2255fc85120ac7f3d25e4342c3c20cf749f2c20a18081af1952709',
      'gitleaks_8.30.1_darwin_arm64.tar.gz':
        'b40ab0ae55c505963e365f271a8d3846efbc170aa17f2607f13df610a9aeb6a5',
    },
  },
  trufflehog: {
    repository: 'trufflesecurity/trufflehog',
    executable: 'trufflehog',
    kind: 'tar.gz',
    version: '3.95.8',
    asset: (version, platform, arch) => {
      const cpu = goArch(arch);
      return (platform === 'linux' || platform === 'darwin') && cpu !== undefined
        ? `trufflehog_${version}_${platform}_${cpu}.tar.gz`
        : undefined;
    },
    sha256: {
      'trufflehog_3.95.8_linux_amd64.tar.gz':
        '136c42933697ab2e09402d003ff4259086312b80cb671e7d9ab05477597bc4f0',
    },
  },
  'osv-scanner': {
    repository: 'google/osv-scanner',
    executable: 'osv-scanner',
    kind: 'binary',
    version: '2.3.3',
    asset: (_version, platform, arch) => {
      const cpu = goArch(arch);
      return (platform === 'linux' || platform === 'darwin') && cpu !== undefined
        ? `osv-scanner_${platform}_${cpu}`
        : undefined;
    },
    sha256: {
      // The asset name carries no version; the key does, so an override of the version needs its checksum.
      '2.3.3/osv-scanner_linux_amd64': '777b4bb7ddd10bdcc8a1aa398d37d05e91e866e7586f9cff3fca2f72b8153033',
    },
  },
};

/**
 * The recorded checksum of a tool's asset.
 * @returns lower-case hex, or undefined when the table has none for this version and asset
 */
export function recordedChecksum(spec: ToolSpec, version: string, asset: string): string | undefined {
  return spec.sha256[asset] ?? spec.sha256[`${version}/${asset}`];
}
