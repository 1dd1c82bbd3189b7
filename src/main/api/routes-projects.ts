// The routes of DESIGN §9: project records and operations, templates, validate and the trash.
// Like routes.ts, nothing here knows HTTP.
import { z } from 'zod';
import {
  CopyInput,
  CopySummary,
  Entry,
  Environment,
  EnvironmentPatch,
  Project,
  ProjectDeleted,
  ProjectPatch,
  TemplateInput,
  TrashItem,
  Validation,
} from '../../shared/model.js';
import type { Route, RouteResult } from './routes.js';

const ValidateQuery = z.object({ environment: Environment.optional() });
const TrashParams = z.object({ id: z.uuid('must be a trash id (a UUID)') });
const RestoreQuery = z.object({ replace: z.enum(['true', 'false']).optional() });
const TrashPurged = z.object({ purged: z.number().int() });
const noContent: RouteResult = { status: 204 };

export function projectRoutes(): Route[] {
  return [
    {
      method: 'PATCH',
      path: '/api/projects/{name}',
      summary: 'Rename a project (moves every entry; 409 onto an existing one), set its description or its environments list',
      scope: 'entries:write',
      body: ProjectPatch,
      response: { status: 200, schema: Project, description: 'the project' },
      handle: ({ core, caller, params, body }) => ({ json: core.projectOperations.patch(caller, params.name!, body as ProjectPatch) }),
    },
    {
      method: 'DELETE',
      path: '/api/projects/{name}',
      summary: "Move every entry of a project to the trash and forget its record",
      scope: 'entries:write',
      response: { status: 200, schema: ProjectDeleted, description: 'how many entries went to the trash' },
      handle: ({ core, caller, params }) => ({ json: core.projectOperations.remove(caller, params.name!) }),
    },
    {
      method: 'PATCH',
      path: '/api/projects/{name}/environments/{environment}',
      summary: "Rename an environment (moves its entries; 409 if one would collide)",
      scope: 'entries:write',
      body: EnvironmentPatch,
      response: { status: 200, schema: Project, description: 'the project' },
      handle: ({ core, caller, params, body }) => ({ json: core.projectOperations.renameEnvironment(caller, params.name!, params.environment!, body as { name: string }) }),
    },
    {
      method: 'DELETE',
      path: '/api/projects/{name}/environments/{environment}',
      summary: "Move an environment's entries to the trash and drop it from the project's list",
      scope: 'entries:write',
      response: { status: 200, schema: ProjectDeleted, description: 'how many entries went to the trash' },
      handle: ({ core, caller, params }) => ({ json: core.projectOperations.removeEnvironment(caller, params.name!, params.environment!) }),
    },
    {
      method: 'POST',
      path: '/api/projects/{name}/copy',
      summary: 'Copy (promote) one environment\'s entries into another; dryRun writes nothing; names only in the answer',
      scope: 'entries:write',
      body: CopyInput,
      response: { status: 200, schema: CopySummary, description: 'added, changed, unchanged and skipped variables' },
      handle: ({ core, caller, params, body }) => ({ json: core.projectOperations.copy(caller, params.name!, body as CopyInput) }),
    },
    {
      method: 'PUT',
      path: '/api/projects/{name}/template',
      summary: 'Set the variables every environment of the project must have',
      scope: 'entries:write',
      body: TemplateInput,
      response: { status: 200, schema: Project, description: 'the project' },
      handle: ({ core, caller, params, body }) => ({ json: core.projectOperations.setTemplate(caller, params.name!, body as TemplateInput) }),
    },
    {
      method: 'GET',
      path: '/api/projects/{name}/validate',
      summary: "Which of the template's variables an environment lacks (404 naming the environments for an unknown one)",
      scope: 'entries:read',
      query: ValidateQuery,
      response: { status: 200, schema: Validation, description: 'required, present and missing variables' },
      handle: ({ core, caller, params, query }) => ({ json: core.projectOperations.validate(caller, params.name!, (query.environment as string | undefined) ?? 'development') }),
    },
    {
      method: 'GET',
      path: '/api/trash',
      summary: 'Entries in the trash (purged 30 days after they went there), newest first',
      scope: 'entries:read',
      response: { status: 200, schema: z.array(TrashItem), description: 'trash items' },
      handle: ({ core, caller }) => ({ json: core.trash.list(caller) }),
    },
    {
      method: 'POST',
      path: '/api/trash/{id}/restore',
      params: TrashParams,
      summary: 'Restore a trashed entry with its versions (409 naming an entry in its place, unless replace=true)',
      scope: 'entries:write',
      query: RestoreQuery,
      response: { status: 200, schema: Entry, description: 'the restored entry' },
      handle: ({ core, caller, params, query }) => ({ json: core.trash.restore(caller, params.id!, { replace: query.replace === 'true' }) }),
    },
    {
      method: 'DELETE',
      path: '/api/trash/{id}',
      params: TrashParams,
      summary: 'Purge one trashed entry and its versions for good',
      scope: 'entries:write',
      response: { status: 204, description: 'purged' },
      handle: ({ core, caller, params }) => {
        core.trash.purge(caller, params.id!);
        return noContent;
      },
    },
    {
      method: 'DELETE',
      path: '/api/trash',
      summary: 'Empty the trash (the part this token can see)',
      scope: 'entries:write',
      response: { status: 200, schema: TrashPurged, description: 'how many entries were purged' },
      handle: ({ core, caller }) => ({ json: { purged: core.trash.purgeAll(caller) } }),
    },
  ];
}
