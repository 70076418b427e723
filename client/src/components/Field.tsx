import { type JSX, Show, splitProps } from "solid-js";

/**
 * A labelled input with the server's validation message for it underneath (announced, and linked by aria), or else
 * its `hint`. `invalid` marks it for a problem found here in the browser and worded elsewhere in the form.
 */
export function Field(
  props: {
    label: string;
    name: string;
    errors?: string[];
    hint?: JSX.Element;
    invalid?: boolean;
  } & JSX.InputHTMLAttributes<HTMLInputElement>,
) {
  const [own, input] = splitProps(props, ["label", "name", "errors", "hint", "invalid"]);
  const id = () => `field-${own.name}`;
  const message = () => own.errors?.[0];
  return (
    <div class="field">
      <label for={id()}>{own.label}</label>
      <input
        id={id()}
        name={own.name}
        aria-invalid={message() || own.invalid ? true : undefined}
        aria-describedby={message() ? `${id()}-error` : own.hint ? `${id()}-hint` : undefined}
        {...input}
      />
      <Show when={own.hint}>
        <p id={`${id()}-hint`} class="hint">
          {own.hint}
        </p>
      </Show>
      <FieldError id={id()} message={message()} />
    </div>
  );
}

/** The server's message for one field, under it; `id` is the field's id, so its control can point here by aria. */
export function FieldError(props: { id?: string; message?: string | null }) {
  return (
    <Show when={props.message}>
      <p id={props.id ? `${props.id}-error` : undefined} class="field-error" role="alert">
        {props.message}
      </p>
    </Show>
  );
}

/** A form's message that belongs to no one field (announced when it appears). */
export function FormError(props: { message?: string | null; testid?: string }) {
  return (
    <Show when={props.message}>
      <p class="error" role="alert" data-testid={props.testid}>
        {props.message}
      </p>
    </Show>
  );
}
