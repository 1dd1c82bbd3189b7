// The owner's Windows pipe, restricted to the user (DESIGN §4 "Hardening"; docs/api.md "The CLI's
// channel"). Apart from channel.ts, which the CLI's fast path loads: only the owner needs this.
import { execFile } from 'node:child_process';
import path from 'node:path';

// Node's `net` creates the pipe with Windows' default security descriptor (the creator, SYSTEM
// and Administrators full control, Everyone and Anonymous read) and cannot pass another. A named
// pipe's descriptor belongs to the pipe, shared by all its instances, and whoever holds WRITE_DAC
// on it may replace the DACL; its creator does. So, once the owner listens, Windows PowerShell
// 5.1 (part of every supported Windows; .NET Framework's pipe classes) connects to the pipe as a
// client with WRITE_DAC, sets a protected DACL with one entry, the user's own SID with full
// access, and prints the DACL it then reads back, which is checked here. Until that answer the
// owner drops every connection on the pipe; if it fails the pipe is closed and the owner does not
// start (the error says why), as KeePassXC's owner-only local socket fails to listen.
// Not run here (no Windows machine): docs/api.md says so; the unit tests run this code path
// with a recorded PowerShell.

/** A Windows security identifier (S-1-5-21-…). */
const SID = /^S-1-\d+(-\d+)+$/;

/**
 * Whether a DACL in SDDL admits `sid` alone: protected (P; Windows may add flags such as AI), and
 * every entry an allow entry for that SID (whatever rights Windows writes them with).
 */
export function admitsOnly(dacl: string, sid: string): boolean {
  const m = /^D:([A-Z]*)((?:\([^()]*\))+)$/.exec(dacl);
  if (!m || !m[1]!.includes('P')) return false;
  const entries = [...m[2]!.matchAll(/\(([^()]*)\)/g)].map((e) => e[1]!.split(';'));
  return entries.every((e) => e.length === 6 && e[0] === 'A' && e[5] === sid);
}

/** Runs a program with arguments, without a shell; resolves with its standard output. */
export type RunProgram = (file: string, args: string[]) => Promise<string>;

const runProgram: RunProgram = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { windowsHide: true, timeout: 30_000, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });

/** `%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe`, never whatever PATH finds first. */
export function windowsPowerShell(env: NodeJS.ProcessEnv = process.env): string {
  return path.win32.join(env.SystemRoot ?? env.windir ?? 'C:\\Windows', 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
}

/** The PowerShell that sets the DACL of pipe `name` (`keyden-<32 hex>`) and prints "<sid> <dacl read back>". */
export function restrictPipeScript(name: string): string {
  if (!/^keyden-[0-9a-f]{32}$/.test(name)) throw new Error(`not a Keyden pipe name: ${JSON.stringify(name)}`);
  return [
    "$ErrorActionPreference = 'Stop'",
    'Add-Type -AssemblyName System.Core',
    '$sid = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value',
    '$security = New-Object System.IO.Pipes.PipeSecurity',
    '$security.SetSecurityDescriptorSddlForm("D:P(A;;FA;;;$sid)", [System.Security.AccessControl.AccessControlSections]::Access)',
    `$pipe = New-Object System.IO.Pipes.NamedPipeClientStream('.', '${name}', [System.IO.Pipes.PipeAccessRights]'ReadData, WriteData, ReadPermissions, ChangePermissions', [System.IO.Pipes.PipeOptions]::None, [System.Security.Principal.TokenImpersonationLevel]::None, [System.IO.HandleInheritability]::None)`,
    'try {',
    '  $pipe.Connect(10000)',
    '  $pipe.SetAccessControl($security)',
    '  $now = $pipe.GetAccessControl().GetSecurityDescriptorSddlForm([System.Security.AccessControl.AccessControlSections]::Access)',
    '} finally {',
    '  $pipe.Dispose()',
    '}',
    'Write-Output "$sid $now"',
  ].join('\n');
}

/**
 * Gives the owner's pipe a DACL that admits the user alone, and checks that it holds. Rejects
 * (with one line saying why) when PowerShell fails or the DACL read back admits anyone else.
 */
export async function restrictPipeToUser(pipePath: string, run: RunProgram = runProgram, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const name = /^\\\\\.\\pipe\\(.+)$/.exec(pipePath)?.[1] ?? '';
  const script = restrictPipeScript(name);
  let output: string;
  try {
    output = await run(windowsPowerShell(env), ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', script]);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new Error(`could not restrict ${pipePath} to this user: Windows PowerShell failed${code === undefined ? '' : ` (${String(code)})`}`);
  }
  const [sid = '', dacl = ''] = output.trim().split(/\s+/);
  if (!SID.test(sid) || !admitsOnly(dacl, sid)) {
    throw new Error(`could not restrict ${pipePath} to this user: its access list reads ${JSON.stringify(dacl || output.trim().slice(0, 200))}`);
  }
}
