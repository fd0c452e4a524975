// Vite builds the web app into dist/, which `quire serve` serves at `/`.
import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv } from "vite";

export default defineConfig(({ mode }) => {
  // `npm run dev -w @quire/web` proxies the API to a running `quire serve` (QUIRE_API_URL, default port 7420).
  const env = loadEnv(mode, ".", "QUIRE_");
  return {
    plugins: [react()],
    build: { outDir: "dist", emptyOutDir: true },
    server: { proxy: { "/api": env.QUIRE_API_URL ?? "http://127.0.0.1:7420" } },
  };
});
