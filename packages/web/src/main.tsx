import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "diff2html/bundles/css/diff2html.min.css";
import "./styles/theme.css";
import "./styles/base.css";
import "./styles/task.css";
import "./styles/review.css";
import "./styles/environments.css";
import "./styles/account.css";
import { App } from "./App";
import { AuthGate } from "./components/account/AuthGate";
import { applyTheme } from "./lib/theme";

// Before the first render, so the app never paints in the other theme first.
applyTheme();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthGate>{(workspaceKey) => <App key={workspaceKey} />}</AuthGate>
  </StrictMode>,
);
