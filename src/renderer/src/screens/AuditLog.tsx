// The audit log: what happened, when, by whom. Never a value.
import { useEffect, useState } from 'react';
import { AUDIT_ACTIONS, type AuditAction, type AuditEvent } from '../../../shared/model.js';
import { call } from '../api.js';
import { Button, EmptyState, formatTime } from '../components/ui.js';
import { Name, shown } from '../components/Name.js';

const PAGE = 200;

function describeDetail(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${shown(String(v))}`)
    .join(' · ');
}

/** A token by its name; the CLI that opened the file (an admin command or `keyden serve`) says so. */
function describeActor(e: AuditEvent): string {
  if (e.actorName) return `token “${shown(e.actorName)}”`;
  if (e.actor === 'cli') return 'CLI (opened the file)';
  return e.actor === 'app' ? 'this app' : e.actor;
}

export function AuditLog() {
  const [action, setAction] = useState<AuditAction | ''>('');
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [total, setTotal] = useState(0);
  useEffect(() => {
    void call('audit.list', { limit: PAGE, ...(action ? { action } : {}) }).then((r) => {
      setItems(r.items);
      setTotal(r.total);
    });
  }, [action]);
  async function more(): Promise<void> {
    const r = await call('audit.list', { limit: PAGE, offset: items.length, ...(action ? { action } : {}) });
    setItems([...items, ...r.items]);
  }
  return (
    <section className="page" aria-labelledby="audit-title">
      <header className="page-header">
        <h1 id="audit-title">Audit log</h1>
        <select aria-label="Filter by action" value={action} onChange={(e) => setAction(e.target.value as AuditAction | '')}>
          <option value="">All actions</option>
          {AUDIT_ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
      </header>
      {items.length === 0 ? <EmptyState title="Nothing recorded yet">Unlocks, reveals, copies, exports and changes appear here.</EmptyState> : (
        <table className="table audit" aria-label="Audit events">
          <thead><tr><th>When</th><th>Action</th><th>Target</th><th>By</th><th>Result</th></tr></thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td className="small nowrap">{formatTime(e.at)}</td>
                <td><code>{e.action}</code></td>
                <td>{e.targetName ? <Name>{e.targetName}</Name> : '—'} <span className="muted small name">{describeDetail(e.detail)}</span></td>
                <td className="small name">{describeActor(e)}</td>
                <td>{e.ok ? <span className="badge badge-ok">ok</span> : <span className="badge badge-danger">failed</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items.length < total ? <Button onClick={() => void more()}>Show older events</Button> : null}
    </section>
  );
}
