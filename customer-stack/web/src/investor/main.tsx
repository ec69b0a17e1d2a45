import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import '@bulwark/ui-kit/styles.css';
import { SessionProvider } from '../shared/session';
import { InvestorApp } from './investor-app';

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <BrowserRouter basename="/app">
      <SessionProvider>
        <InvestorApp />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
