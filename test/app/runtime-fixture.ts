// The app runtime around a test vault's core, with the e2e fakes for clipboard, dialogs and timers.
import { createAppRuntime, type AppRuntime, type RuntimeOptions } from '../../src/main/app/runtime.js';
import type { TestVault } from '../helpers/core.js';
import { ManualTimers, RecordingClipboard, RecordingDialogs } from '../e2e/support/fakes.js';

export function testRuntime(v: TestVault, extra: Partial<RuntimeOptions> = {}): AppRuntime {
  return createAppRuntime({
    core: v.core,
    home: v.dir,
    clipboard: new RecordingClipboard(),
    dialogs: new RecordingDialogs(),
    timers: new ManualTimers(),
    emit: () => undefined,
    info: { version: v.core.version, platform: process.platform, revealSeconds: 30, canInstallCli: false },
    installCli: () => Promise.reject(new Error('not in tests')),
    ...extra,
  });
}
