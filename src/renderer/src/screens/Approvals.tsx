// `keyden login` approval: shows client, scopes, projects and the code to compare with the terminal.
import { useState } from 'react';
import { call, errorMessage } from '../api.js';
import { toast } from '../components/toast.js';
import { Name, Names, shown } from '../components/Name.js';
import { Button, Modal } from '../components/ui.js';
import { useSession } from '../store/session.js';

const LIFETIMES = [
  { label: '12 hours', hours: 12 },
  { label: '7 days', hours: 24 * 7 },
  { label: '30 days', hours: 24 * 30 },
] as const;

export function ApprovalDialog() {
  const request = useSession((s) => s.approvals[0]);
  const [hours, setHours] = useState<number>(12);
  const [busy, setBusy] = useState(false);
  if (!request) return null;

  async function decide(approve: boolean): Promise<void> {
    if (!request) return;
    setBusy(true);
    try {
      if (approve) await call('approvals.approve', { id: request.id, expiresAt: new Date(Date.now() + hours * 3_600_000).toISOString() });
      else await call('approvals.deny', { id: request.id });
      toast(approve ? `Approved ${shown(request.clientName)}` : `Denied ${shown(request.clientName)}`);
    } catch (e) {
      toast(errorMessage(e), 'error');
    } finally {
      useSession.getState().removeApproval(request.id);
      setBusy(false);
    }
  }

  return (
    <Modal open onOpenChange={(open) => !open && void decide(false)} title="A program asks for access" description="Approve only if you just ran keyden login and the code matches your terminal.">
      <dl className="meta-grid approval">
        <dt>Client</dt>
        <dd><strong><Name>{request.clientName}</Name></strong></dd>
        <dt>Code</dt>
        <dd><code className="approval-code" data-testid="approval-code">{request.code}</code></dd>
        <dt>Scopes</dt>
        <dd>{request.scopes.map((s) => <code key={s} className="chip static">{s}</code>)}</dd>
        <dt>Projects</dt>
        <dd>{request.projects ? <Names list={request.projects} /> : 'All projects'}</dd>
        <dt>Environments</dt>
        <dd>{request.environments ? <Names list={request.environments} /> : 'All environments'}</dd>
        <dt>Valid for</dt>
        <dd>
          <select aria-label="Token lifetime" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {LIFETIMES.map((l) => <option key={l.hours} value={l.hours}>{l.label}</option>)}
          </select>
        </dd>
      </dl>
      <div className="modal-actions">
        <Button variant="danger" onClick={() => void decide(false)} disabled={busy}>Deny</Button>
        <Button variant="primary" onClick={() => void decide(true)} busy={busy}>Approve</Button>
      </div>
    </Modal>
  );
}

/** First run: the local API is opt-in, so ask once (settings.apiEnabled is null until answered). */
export function ApiPrompt() {
  const settings = useSession((s) => s.settings);
  const [busy, setBusy] = useState(false);
  if (!settings || settings.apiEnabled !== null) return null;
  async function answer(enabled: boolean): Promise<void> {
    setBusy(true);
    try {
      const view = await call('settings.update', { apiEnabled: enabled });
      useSession.getState().setSettings(view.settings);
      if (view.api.error) toast(view.api.error, 'error');
    } catch (e) {
      toast(errorMessage(e), 'error');
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal open onOpenChange={(open) => !open && void answer(false)} title="Turn on the local API?" description="The keyden CLI and your scripts reach keys through a local API on 127.0.0.1, guarded by tokens you create. You can change this in Settings.">
      <div className="modal-actions">
        <Button onClick={() => void answer(false)} disabled={busy}>Not now</Button>
        <Button variant="primary" onClick={() => void answer(true)} busy={busy}>Turn on</Button>
      </div>
    </Modal>
  );
}
