// The frame of every screen: a skip link, the brand, the navigation (current page marked for
// assistive technology), who is signed in, and the main landmark. It collapses to a menu
// button on a phone.
import { useState, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { Button } from './components';

export interface NavItem {
  readonly to: string;
  readonly label: string;
}

export function AppShell({ appName, brandName, nav, who, onSignOut, children }: {
  readonly appName: string;
  readonly brandName: string;
  readonly nav: readonly NavItem[];
  readonly who?: string;
  readonly onSignOut?: () => void;
  readonly children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return (
    <div className={nav.length > 0 ? 'shell' : 'shell shell-bare'}>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">{brandName}</span>
          <span className="app-name">{appName}</span>
        </div>
        {nav.length > 0 ? (
          <button type="button" className="menu-toggle" aria-expanded={open} aria-controls="primary-nav" onClick={() => setOpen(!open)}>
            Menu
          </button>
        ) : null}
        {who ? (
          <div className="who">
            <span className="who-name">{who}</span>
            {onSignOut ? <Button variant="secondary" onClick={onSignOut}>Sign out</Button> : null}
          </div>
        ) : null}
      </header>
      {nav.length > 0 ? (
        <nav id="primary-nav" className={`sidenav${open ? ' open' : ''}`} aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === '/'} onClick={() => setOpen(false)}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <main id="main" className="content" tabIndex={-1}>{children}</main>
    </div>
  );
}
