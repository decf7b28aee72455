import { Hono } from 'hono';
import type { Clock } from '../clock.js';
import { previewContext } from '../email/preview-context.js';
import { renderTemplate } from '../email/render-template.js';
import { readTemplateBody, readTemplateContent } from '../email/template-input.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import type { EmailTemplateInput } from '../store/email-template-store.js';
import type { Store } from '../store/store.js';

const MAX_BODY = 1024 * 1024;

const asObject = (body: unknown): Record<string, unknown> => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'invalid_fields', 'The body must be a JSON object.', { '(body)': 'must be an object' });
  return body as Record<string, unknown>;
};

/** Email templates (issue 13) and their previews for a contact. Mounted behind the admin guard. */
export function emailTemplateRoutes(deps: { store: Store; clock: Clock }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const templates = deps.store.emailTemplates;
  const missing = () => new ApiError(404, 'not_found', 'No email template has this id.');

  routes.get('/email-templates', async (c) => c.json({ items: await templates.list(c.get('project').id) }));

  routes.post('/email-templates', async (c) => {
    const input = readTemplateBody(await readJsonBody(c.req.raw, MAX_BODY), null) as EmailTemplateInput;
    return c.json(await templates.create(c.get('project').id, input, deps.clock.now()), 201);
  });

  // The editor's draft, not saved: same answer as a saved template's preview.
  routes.post('/email-templates/preview', async (c) => {
    const body = asObject(await readJsonBody(c.req.raw, MAX_BODY));
    const content = readTemplateContent({ subject: body.subject, text: body.text, html: body.html });
    return c.json(renderTemplate(content, await previewContext(deps.store, c.get('project').id, body)));
  });

  routes.get('/email-templates/:id', async (c) => {
    const template = await templates.get(c.get('project').id, c.req.param('id'));
    if (!template) throw missing();
    return c.json(template);
  });

  routes.patch('/email-templates/:id', async (c) => {
    const projectId = c.get('project').id;
    const current = await templates.get(projectId, c.req.param('id'));
    if (!current) throw missing();
    const patch = readTemplateBody(await readJsonBody(c.req.raw, MAX_BODY), current);
    const updated = await templates.update(projectId, current.id, patch, deps.clock.now());
    if (!updated) throw missing();
    return c.json(updated);
  });

  routes.delete('/email-templates/:id', async (c) => {
    if (!(await templates.remove(c.get('project').id, c.req.param('id')))) throw missing();
    return c.body(null, 204);
  });

  routes.post('/email-templates/:id/preview', async (c) => {
    const projectId = c.get('project').id;
    const template = await templates.get(projectId, c.req.param('id'));
    if (!template) throw missing();
    const body = c.req.header('content-length') === '0' ? {} : asObject(await readJsonBody(c.req.raw, MAX_BODY));
    return c.json(renderTemplate(template, await previewContext(deps.store, projectId, body)));
  });

  return routes;
}
