import { defineConfig, loadEnv } from 'vite';
import react from '@vitejs/plugin-react';

// The host serves the bundle from its wwwroot; `npm run dev` proxies the API to a host started with `dotnet run`
// (BOTFLOW_HOST overrides where that host listens).
export default defineConfig(({ mode }) => {
  const host = loadEnv(mode, '.', 'BOTFLOW_')['BOTFLOW_HOST'] ?? 'http://127.0.0.1:5080';
  return {
    plugins: [react()],
    build: {
      outDir: '../BotFlow.Host/wwwroot',
      emptyOutDir: true,
      chunkSizeWarningLimit: 2000,
    },
    server: {
      port: 5173,
      proxy: { '/api': host, '/hangfire': host, '/health': host },
    },
  };
});
