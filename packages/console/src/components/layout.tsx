import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useSession } from '../state/console-context.js';

const NAV: [href: string, label: string][] = [
  ['/console', 'Home'],
  ['/console/contacts', 'Contacts'],
  ['/console/companies', 'Companies'],
  ['/console/segments', 'Segments'],
  ['/console/lists', 'Lists'],
  ['/console/messages', 'Messages'],
  ['/console/email-templates', 'Email'],
  ['/console/outbox', 'Outbox'],
  ['/console/settings', 'Settings'],
];

/** The frame of every signed-in page: skip link, the project's name, the navigation, the member. */
export function Layout(props: { children: ComponentChildren }) {
  const session = useSession();
  const { path } = useLocation();
  const current = (href: string) => (href === '/console' ? path === '/console' || path === '/console/' : path.startsWith(href));
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/console">
          Hark <span>{session.project.name}</span>
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={current(href) ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <a class="me" href="/console/account" aria-current={path.startsWith('/console/account') ? 'page' : undefined}>
          {session.member.name || session.member.email} <span class="role">{session.member.role}</span>
        </a>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
