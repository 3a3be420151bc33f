import '@fontsource/noto-sans-sc/400.css';
import '@fontsource/noto-sans-sc/700.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createTransport } from './api/transport.js';
import { connectStore } from './store.js';

connectStore(createTransport());

// A kiosk session (`#…&kiosk=1`, set by the Electron shell and the browser session) hides the
// pointer: a touch pad has none, and a mouse left plugged in must not leave an arrow on the stars.
if (/(^|[#&])kiosk=1(&|$)/.test(location.hash)) document.documentElement.classList.add('kiosk');

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
