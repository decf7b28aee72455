import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import type { ApiClient } from './api/client.js';
import type { Session } from './api/types.js';
import { Layout } from './components/layout.js';
import { DomainsPage } from './email/domains-page.js';
import { OutboxMailPage } from './email/outbox-mail-page.js';
import { OutboxPage } from './email/outbox-page.js';
import { Loading, ProgressBar } from './components/progress.js';
import { AccountPage } from './pages/account-page.js';
import { AutomationEditorPage } from './pages/automation-editor-page.js';
import { AutomationsPage } from './pages/automations-page.js';
import { CompaniesPage } from './pages/companies-page.js';
import { CompanyPage } from './pages/company-page.js';
import { ContactPage } from './pages/contact-page.js';
import { ContactsPage } from './pages/contacts-page.js';
import { HomePage } from './pages/home-page.js';
import { InboundWebhooksPage } from './pages/inbound-webhooks-page.js';
import { InvitePage } from './pages/invite-page.js';
import { ListPage } from './pages/list-page.js';
import { ListsPage } from './pages/lists-page.js';
import { LoginPage } from './pages/login-page.js';
import { MessageEditorPage } from './pages/message-editor-page.js';
import { MessageResultsPage } from './pages/message-results-page.js';
import { MessagesPage } from './pages/messages-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { SegmentEditorPage } from './pages/segment-editor-page.js';
import { SegmentsPage } from './pages/segments-page.js';
import { SettingsPage } from './pages/settings-page.js';
import { SetupPage } from './pages/setup-page.js';
import { SuppressionRulesPage } from './pages/suppression-rules-page.js';
import { SuppressionsPage } from './pages/suppressions-page.js';
import { ErasuresPage } from './pages/erasures-page.js';
import { TeamPage } from './pages/team-page.js';
import { WebhooksPage } from './pages/webhooks-page.js';
import { TemplateEditorPage } from './email/template-editor-page.js';
import { TemplateListPage } from './email/template-list-page.js';
import { TemplateSendsPage } from './email/template-sends-page.js';
import { ConsoleContext, useConsole, type ConsoleState } from './state/console-context.js';

/** Pages anyone may open; every other page needs a session and shows the login form without one. */
const PUBLIC = [/^\/console\/setup\/?$/, /^\/console\/login\/?$/, /^\/console\/invite(\/[^/]+)?\/?$/];

/** The console: the session (asked once at start), the progress bar, and the routes. */
export function App(props: { api: ApiClient }) {
  const { api } = props;
  // undefined: not asked yet; null: no session.
  const [session, setSessionState] = useState<Session | null | undefined>(undefined);
  const state = useMemo<ConsoleState>(
    () => ({
      api,
      session: session ?? null,
      setSession(next) {
        api.setCsrfToken(next?.csrfToken ?? null);
        setSessionState(next);
      },
    }),
    [api, session],
  );
  useEffect(() => {
    api.onUnauthorized(() => state.setSession(null));
    api.get<Session>('/session').then(state.setSession, () => state.setSession(null));
  }, [api]);

  return (
    <ConsoleContext.Provider value={state}>
      <ProgressBar api={api} />
      <LocationProvider scope="/console">
        {session === undefined ? <Loading /> : <Routes />}
      </LocationProvider>
    </ConsoleContext.Provider>
  );
}

function Routes() {
  const { path } = useLocation();
  const state = useMemo(() => ({ path }), [path]);
  // Each navigation starts at the top with focus on the page, so screen readers hear the new page.
  useEffect(() => {
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [state]);
  return (
    <ConsoleContextGate path={path}>
      <Router>
        <Route path="/console" component={HomePage} />
        <Route path="/console/setup" component={SetupPage} />
        <Route path="/console/login" component={LoginPage} />
        <Route path="/console/invite" component={InvitePage} />
        <Route path="/console/invite/:token" component={InvitePage} />
        <Route path="/console/account" component={AccountPage} />
        <Route path="/console/contacts" component={ContactsPage} />
        <Route path="/console/contacts/:id" component={ContactPage} />
        <Route path="/console/companies" component={CompaniesPage} />
        <Route path="/console/companies/:id" component={CompanyPage} />
        <Route path="/console/segments" component={SegmentsPage} />
        <Route path="/console/segments/new" component={SegmentEditorPage} />
        <Route path="/console/segments/:id" component={SegmentEditorPage} />
        <Route path="/console/lists" component={ListsPage} />
        <Route path="/console/lists/:id" component={ListPage} />
        <Route path="/console/messages" component={MessagesPage} />
        <Route path="/console/messages/new" component={MessageEditorPage} />
        <Route path="/console/messages/:id" component={MessageEditorPage} />
        <Route path="/console/messages/:id/results" component={MessageResultsPage} />
        <Route path="/console/automations" component={AutomationsPage} />
        <Route path="/console/automations/new" component={AutomationEditorPage} />
        <Route path="/console/automations/:id" component={AutomationEditorPage} />
        <Route path="/console/outbox" component={OutboxPage} />
        <Route path="/console/outbox/:id" component={OutboxMailPage} />
        <Route path="/console/email-templates" component={TemplateListPage} />
        <Route path="/console/email-sends" component={TemplateSendsPage} />
        <Route path="/console/email-templates/new" component={TemplateEditorPage} />
        <Route path="/console/email-templates/:id" component={TemplateEditorPage} />
        <Route path="/console/settings" component={SettingsPage} />
        <Route path="/console/settings/domains" component={DomainsPage} />
        <Route path="/console/settings/suppressions" component={SuppressionsPage} />
        <Route path="/console/settings/suppression-rules" component={SuppressionRulesPage} />
        <Route path="/console/settings/team" component={TeamPage} />
        <Route path="/console/settings/erasures" component={ErasuresPage} />
        <Route path="/console/settings/webhooks" component={WebhooksPage} />
        <Route path="/console/settings/inbound-webhooks" component={InboundWebhooksPage} />
        <Route default component={NotFoundPage} />
      </Router>
    </ConsoleContextGate>
  );
}

/** Public pages render bare; the others inside the layout, or the login form without a session. */
function ConsoleContextGate(props: { path: string; children: ComponentChildren }) {
  const { session } = useConsole();
  if (PUBLIC.some((pattern) => pattern.test(props.path))) return <main id="main" tabIndex={-1} class="bare">{props.children}</main>;
  if (!session)
    return (
      <main id="main" tabIndex={-1} class="bare">
        <LoginPage />
      </main>
    );
  return <Layout>{props.children}</Layout>;
}
