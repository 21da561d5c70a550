import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The bundle goes into the host's wwwroot (served by ASP.NET Core's static files, index.html as the fallback of every
// console route). `npm run dev` serves the console with hot reload and sends API calls to a running `serve`.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../wwwroot",
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    port: 5701,
    proxy: {
      "/api": { target: "http://127.0.0.1:5700", changeOrigin: false },
      "/openapi": { target: "http://127.0.0.1:5700" },
    },
  },
});
