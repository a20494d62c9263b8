/**
 * Software GPU adapters: Mesa's lavapipe and Google's SwiftShader are Vulkan drivers that render on
 * the CPU. WebGPU (Dawn over Vulkan) accepts them, and then runs MusicGen about 30× slower than
 * onnxruntime's own CPU provider (musicgen spec §9: 12.8 s vs 0.4 s on the tiny model). They are
 * common on Linux desktops and VMs without a GPU, so they must never be chosen by accident.
 *
 * The Vulkan loader (1.3.234 and newer) skips driver manifests that match
 * `VK_LOADER_DRIVERS_DISABLE`; with the software ones hidden, a machine without a real GPU gets
 * "No supported adapters" from WebGPU instead of a slow adapter.
 */

/** Globs of the software drivers' manifest file names (lvp_icd.x86_64.json, vk_swiftshader_icd.json). */
export const SOFTWARE_VULKAN_DRIVERS: readonly string[] = ['*lvp_icd*', '*swiftshader*'];

/** A developer's switch to test the WebGPU path on a software adapter anyway (CI has no GPU). */
export const ALLOW_SOFTWARE_GPU_ENV = 'BITTAUDIO_ALLOW_SOFTWARE_GPU';

const DISABLE_VARIABLE = 'VK_LOADER_DRIVERS_DISABLE';

type Environment = Readonly<Record<string, string | undefined>>;

export function softwareAdaptersAllowed(env: Environment = process.env): boolean {
  return env[ALLOW_SOFTWARE_GPU_ENV] === '1';
}

/** The variables that hide the software drivers, added to what the environment already disables. */
export function hideSoftwareAdaptersEnv(env: Environment = process.env): Record<string, string> {
  const already = (env[DISABLE_VARIABLE] ?? '')
    .split(',')
    .map((glob) => glob.trim())
    .filter(Boolean);
  const globs = [...already, ...SOFTWARE_VULKAN_DRIVERS.filter((glob) => !already.includes(glob))];
  return { [DISABLE_VARIABLE]: globs.join(',') };
}

/**
 * Hides the software drivers from this process's Vulkan loader, before onnxruntime's WebGPU
 * provider creates its instance (the loader reads the variable then), unless a developer allowed them.
 */
export function hideSoftwareAdapters(env: Record<string, string | undefined> = process.env): void {
  if (softwareAdaptersAllowed(env)) return;
  Object.assign(env, hideSoftwareAdaptersEnv(env));
}

/** WebGPU's words when it found no adapter at all (Dawn via onnxruntime). */
export function isNoAdapterError(text: string): boolean {
  return /no supported adapters|failed to get a webgpu adapter/i.test(text);
}
