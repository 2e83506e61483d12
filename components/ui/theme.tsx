"use client";

import { useEffect, useSyncExternalStore } from "react";

/** Where the choice is kept; absent means "follow the system". */
const THEME_KEY = "millrace:theme";
type Choice = "system" | "light" | "dark";

/**
 * Run in <head> before the page paints (inline, with the CSP nonce), so a dark page never
 * flashes light: the saved choice, or the system's preference.
 */
export const themeScript = `(function(){try{var t=localStorage.getItem(${JSON.stringify(THEME_KEY)});var d=t==="dark"||(t!=="light"&&matchMedia("(prefers-color-scheme: dark)").matches);document.documentElement.classList.toggle("dark",d);}catch(e){}})();`;

function apply(choice: Choice) {
  const dark = choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}

const subscribe = (onChange: () => void) => {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
};

/** The theme the page shows now (for what draws its own colours, such as React Flow). */
export function useTheme(): "light" | "dark" {
  return useSyncExternalStore(
    subscribe,
    () => (document.documentElement.classList.contains("dark") ? "dark" : "light"),
    () => "light",
  );
}

const choiceListeners = new Set<() => void>();
const subscribeChoice = (onChange: () => void) => {
  choiceListeners.add(onChange);
  // Another tab's choice applies here too.
  const onStorage = () => {
    apply(readChoice());
    onChange();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    choiceListeners.delete(onChange);
    window.removeEventListener("storage", onStorage);
  };
};
function readChoice(): Choice {
  try {
    const saved = window.localStorage.getItem(THEME_KEY);
    return saved === "light" || saved === "dark" ? saved : "system";
  } catch {
    return "system";
  }
}

/** The header's theme switch: system (the default), light or dark, remembered in this browser. */
export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribeChoice, readChoice, () => "system" as Choice);
  // Normally the head script has applied it already; this covers a page served without it.
  useEffect(() => apply(readChoice()), []);
  // Following the system: a change there (dusk, a settings switch) changes the page at once.
  useEffect(() => {
    if (choice !== "system") return;
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const follow = () => apply("system");
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, [choice]);
  return (
    <select
      aria-label="Theme"
      title="Colour theme"
      value={choice}
      onChange={(e) => {
        const next = e.target.value as Choice;
        try {
          if (next === "system") window.localStorage.removeItem(THEME_KEY);
          else window.localStorage.setItem(THEME_KEY, next);
        } catch {
          // Storage may be off: the choice holds for this page.
        }
        apply(next);
        for (const l of choiceListeners) l();
      }}
      className="rounded border border-slate-200 bg-white px-1 py-0.5 text-xs text-slate-600"
    >
      <option value="system">◐ System</option>
      <option value="light">☀ Light</option>
      <option value="dark">☾ Dark</option>
    </select>
  );
}
