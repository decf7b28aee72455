import { useLocation } from 'preact-iso';
import { useSession } from '../state/console-context.js';

const LINKS: [string, string][] = [
  ['/console/settings', 'Project and keys'],
  ['/console/settings/suppressions', 'Suppression list'],
  ['/console/settings/suppression-rules', 'Suppression rules'],
  ['/console/settings/domains', 'Email domains'],
  ['/console/settings/team', 'Team'],
  ['/console/settings/inbound-webhooks', 'Inbound webhooks'],
];

/** The settings pages, and what this member's role may change in them. */
export function SettingsNav() {
  const { path } = useLocation();
  const { member } = useSession();
  return (
    <>
      <nav aria-label="Settings" class="actions">
        {LINKS.map(([href, label]) => (
          <a key={href} class="button" href={href} aria-current={path === href ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {member.role === 'agent' ? (
        <p class="notice ok">Your role (agent) can read these settings. The suppression list and rules need a manager to change; keys, project settings and the team need an admin.</p>
      ) : member.role === 'manager' ? (
        <p class="notice ok">Your role (manager) can change the suppression list and rules. Keys, project settings and the team need an admin.</p>
      ) : null}
    </>
  );
}
