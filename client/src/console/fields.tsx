import { For, type JSX, splitProps } from "solid-js";
import { Field, FieldError, FormError } from "../components/Field";
import { t } from "./i18n";

/** A labelled select with the server's message for it underneath. */
export function SelectField(
  props: {
    label: string;
    name: string;
    errors?: string[];
    options: readonly (readonly [string, string])[];
  } & JSX.SelectHTMLAttributes<HTMLSelectElement>,
) {
  const [own, rest] = splitProps(props, ["label", "name", "errors", "options", "value"]);
  const id = () => `field-${own.name}`;
  return (
    <div class="field">
      <label for={id()}>{own.label}</label>
      <select
        id={id()}
        name={own.name}
        aria-invalid={own.errors?.[0] ? true : undefined}
        aria-describedby={own.errors?.[0] ? `${id()}-error` : undefined}
        {...rest}
      >
        {/* `selected` per option: a select's value set before its options exist would be lost */}
        <For each={own.options}>
          {([value, text]) => (
            <option value={value} selected={value === own.value}>
              {text}
            </option>
          )}
        </For>
      </select>
      <FieldError id={id()} message={own.errors?.[0]} />
    </div>
  );
}

/** A labelled textarea with the server's message for it underneath. */
export function TextAreaField(
  props: { label: string; name: string; errors?: string[] } & JSX.TextareaHTMLAttributes<HTMLTextAreaElement>,
) {
  const [own, rest] = splitProps(props, ["label", "name", "errors"]);
  const id = () => `field-${own.name}`;
  return (
    <div class="field">
      <label for={id()}>{own.label}</label>
      <textarea
        id={id()}
        name={own.name}
        aria-invalid={own.errors?.[0] ? true : undefined}
        aria-describedby={own.errors?.[0] ? `${id()}-error` : undefined}
        {...rest}
      />
      <FieldError id={id()} message={own.errors?.[0]} />
    </div>
  );
}

/** A checkbox with its label beside it. */
export function CheckField(
  props: { label: string; name: string; errors?: string[] } & JSX.InputHTMLAttributes<HTMLInputElement>,
) {
  const [own, rest] = splitProps(props, ["label", "name", "errors"]);
  const id = () => `field-${own.name}`;
  return (
    <div class="field check">
      <label for={id()}>
        <input id={id()} name={own.name} type="checkbox" {...rest} /> {own.label}
      </label>
      <FieldError id={id()} message={own.errors?.[0]} />
    </div>
  );
}

/** The form-level message (not tied to one field) and the submit button that shows progress. */
export function Submit(props: { pending: boolean; message: string | null; label: string; busyLabel: string }) {
  return (
    <>
      <FormError message={props.message} />
      <button type="submit" disabled={props.pending} aria-busy={props.pending}>
        {props.pending ? props.busyLabel : props.label}
      </button>
    </>
  );
}

/** A Korean business registration number, typed as printed (123-45-67890); the server drops the hyphens. */
export function BusinessNumberField(props: { errors?: string[] }) {
  return (
    <Field
      label={t("seller.apply.businessNumber")}
      name="businessNumber"
      inputMode="numeric"
      placeholder="123-45-67890"
      required
      errors={props.errors}
    />
  );
}
