import { type JSX, Show, splitProps } from "solid-js";

/** A labelled input with the server's validation message for it underneath (announced, and linked by aria). */
export function Field(
  props: { label: string; name: string; errors?: string[] } & JSX.InputHTMLAttributes<HTMLInputElement>,
) {
  const [own, input] = splitProps(props, ["label", "name", "errors"]);
  const id = () => `field-${own.name}`;
  const message = () => own.errors?.[0];
  return (
    <div class="field">
      <label for={id()}>{own.label}</label>
      <input
        id={id()}
        name={own.name}
        aria-invalid={message() ? true : undefined}
        aria-describedby={message() ? `${id()}-error` : undefined}
        {...input}
      />
      <Show when={message()}>
        <p id={`${id()}-error`} class="field-error" role="alert">
          {message()}
        </p>
      </Show>
    </div>
  );
}
