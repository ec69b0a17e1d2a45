import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import '@bulwark/ui-kit/styles.css';
import { AdminApp } from './admin-app';
import { OperatorProvider } from './operator-session';

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <BrowserRouter basename="/admin">
      <OperatorProvider>
        <AdminApp />
      </OperatorProvider>
    </BrowserRouter>
  </StrictMode>,
);
