// The API's JSON shapes as the client sees them. Type-only imports: zod is never loaded by the client.
export type {
  AuditEvent,
  CallerToken,
  Category,
  CopySummary,
  Entry,
  EntryWithCategory,
  ProjectDeleted,
  TrashItem,
  Validation,
  VersionInfo,
  ImportSummary,
  Project,
  Revealed,
  Token,
} from '../shared/model.js';

export interface Health {
  status: string;
  locked: boolean;
  version: string;
  approver: boolean;
}
