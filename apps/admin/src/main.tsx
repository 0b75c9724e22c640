import createCache from '@emotion/cache';
import { CacheProvider } from '@emotion/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { currentService } from './service';

/**
 * Emotion in "speedy" mode: styles go in through CSSOM insertRule into empty <style> elements,
 * which the page's CSP allows by the hash of the empty string alone (no 'unsafe-inline').
 */
const styles = createCache({ key: 'pjs', speedy: true });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <CacheProvider value={styles}>
      <App service={currentService()} />
    </CacheProvider>
  </StrictMode>,
);
