import { useEffect, useState, type ReactNode } from "react";
import { NavLink, useLocation } from "react-router";
import { useAuth } from "../auth/AuthContext";
import { roleLabels } from "../auth/permissions";
import { routes } from "../routes";
import { Icon } from "./Icon";

/** The signed-in frame: navigation made from the route list (only what the role may open), the user, the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut, can } = useAuth();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setMenuOpen(false), [location.pathname]);

  const sections = new Map<string, typeof routes>();
  for (const route of routes) {
    if (!route.nav || !can(route.permission)) continue;
    sections.set(route.nav.section, [...(sections.get(route.nav.section) ?? []), route]);
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="btn-icon menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          aria-label="Menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <Icon name="menu" />
        </button>
        <a className="brand" href="/modules">
          <img src="/favicon.svg" alt="" width="26" height="26" />
          <span>IvvyWorkflows</span>
        </a>
        <div className="topbar-user">
          <span className="user-name">{session?.userName}</span>
          {session && <span className="role-chip">{roleLabels[session.role] ?? session.role}</span>}
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void signOut()}>
            <Icon name="signout" /> Sign out
          </button>
        </div>
      </header>
      <nav id="sidebar" className={`sidebar${menuOpen ? " open" : ""}`} aria-label="Main">
        {[...sections].map(([section, items]) => (
          <div key={section} className="nav-section">
            <p className="nav-heading">{section}</p>
            <ul>
              {items.map((route) => (
                <li key={route.path}>
                  <NavLink to={route.path} className={({ isActive }) => `nav-link${isActive ? " active" : ""}`}>
                    <Icon name={route.nav!.icon} />
                    {route.nav!.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · IvvyWorkflows`;
  }, [title]);
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
