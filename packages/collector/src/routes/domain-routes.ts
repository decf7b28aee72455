import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { Clock } from '../clock.js';
import { checkDomain, newDkimKey, normalizeDomain, publicDomain, type DnsResolver, type DomainPolicy } from '../email/sending-domains.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import type { Store } from '../store/store.js';

export interface DomainRouteDeps {
  store: Store;
  clock: Clock;
  resolver: DnsResolver;
  policy: DomainPolicy;
}

/**
 * Sending domains: adding one makes its DKIM key and answers the DNS records to publish;
 * `verify` looks them up. Any number of domains; any address on a verified one may be a From.
 */
export function domainRoutes(deps: DomainRouteDeps): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const emails = deps.store.emails;
  const show = (domain: Parameters<typeof publicDomain>[0]) => publicDomain(domain, deps.policy);
  const missing = () => new ApiError(404, 'not_found', 'No sending domain has this id.');

  routes.get('/domains', async (c) => c.json({ items: (await emails.listDomains(c.get('project').id)).map(show) }));

  routes.post('/domains', async (c) => {
    const body = (await readJsonBody(c.req.raw, 4096)) as { domain?: unknown } | null;
    const domain = typeof body?.domain === 'string' ? normalizeDomain(body.domain) : null;
    if (!domain) throw new ApiError(400, 'invalid_fields', 'Some fields are not valid; see fields.', { domain: 'must be a domain name such as mail.example.com' });
    const key = newDkimKey();
    const added = await emails.addDomain({ id: randomUUID(), projectId: c.get('project').id, domain, ...key, createdAt: deps.clock.now() });
    if (!added) throw new ApiError(409, 'domain_exists', `${domain} is already a sending domain of this project.`, { domain: 'is already added' });
    return c.json(show(added), 201);
  });

  routes.get('/domains/:id', async (c) => {
    const domain = await emails.getDomain(c.get('project').id, c.req.param('id'));
    if (!domain) throw missing();
    return c.json(show(domain));
  });

  routes.post('/domains/:id/verify', async (c) => {
    const projectId = c.get('project').id;
    const domain = await emails.getDomain(projectId, c.req.param('id'));
    if (!domain) throw missing();
    const { checks, verified } = await checkDomain(domain, deps.policy, deps.resolver);
    const saved = await emails.saveDomainChecks(projectId, domain.id, checks, verified, deps.clock.now());
    return c.json(show(saved!));
  });

  routes.delete('/domains/:id', async (c) => {
    if (!(await emails.removeDomain(c.get('project').id, c.req.param('id')))) throw missing();
    return c.body(null, 204);
  });

  return routes;
}
