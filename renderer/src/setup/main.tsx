import '@fontsource/noto-sans-sc/400.css';
import '@fontsource/noto-sans-sc/700.css';
import './setup.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SetupScreen } from './SetupScreen.js';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <SetupScreen />
    </StrictMode>,
  );
