import { A } from "@solidjs/router";
import { For } from "solid-js";

/** The console's sections as links (each section has its own URL, so reload and back work). */
export function Tabs(props: { label: string; base: string; tabs: readonly (readonly [string, string])[] }) {
  return (
    <nav class="console-tabs" aria-label={props.label}>
      <For each={props.tabs}>
        {([slug, text]) => (
          <A href={`${props.base}/${slug}`} activeClass="active">
            {text}
          </A>
        )}
      </For>
    </nav>
  );
}
