import { createSignal, For, type JSX, splitProps } from "solid-js";
import { Field, FieldError, FormError } from "../components/Field";
import { locale } from "../lib/i18n";
import { dayChoices, timeChoices } from "../lib/kstChoices";
import { t } from "./i18n";

/** Times a form offers, this many minutes apart. */
export const TIME_STEP_MINUTES = 30;

/**
 * A Korean date and time as a day and a time to pick ("12월 4일 (금)", "오후 6:00"; "Fri 4 Dec", "18:00"), the same in
 * every browser (lib/kstChoices.ts). The form reads `name` as "YYYY-MM-DDTHH:mm", Korean time (console/time.ts).
 */
export function DateTimeField(props: {
  label: string;
  name: string;
  /** "YYYY-MM-DDTHH:mm", on a day of the list and a time of the step */
  value: string;
  /** the first day offered (epoch ms) and how many */
  from: number;
  days: number;
  errors?: string[];
}) {
  const [day, setDay] = createSignal(props.value.slice(0, 10));
  const [time, setTime] = createSignal(props.value.slice(11, 16));
  const id = () => `field-${props.name}`;
  const invalid = () => (props.errors?.[0] ? true : undefined);
  const described = () => (props.errors?.[0] ? `${id()}-error` : undefined);
  const select = (
    part: "date" | "time",
    choices: () => readonly (readonly [string, string])[],
    value: () => string,
  ) => (
    <select
      id={`${id()}-${part}`}
      aria-label={`${props.label} ${t(part === "date" ? "field.date" : "field.time")}`}
      aria-invalid={invalid()}
      aria-describedby={described()}
      onChange={(e) => (part === "date" ? setDay : setTime)(e.currentTarget.value)}
    >
      <For each={choices()}>
        {([v, text]) => (
          <option value={v} selected={v === value()}>
            {text}
          </option>
        )}
      </For>
    </select>
  );
  return (
    <fieldset class="field datetime">
      <legend>{props.label}</legend>
      <div class="datetime-parts">
        {select("date", () => dayChoices(props.from, props.days, locale()), day)}
        {select("time", () => timeChoices(TIME_STEP_MINUTES, locale()), time)}
      </div>
      <input type="hidden" name={props.name} value={`${day()}T${time()}`} />
      <FieldError id={id()} message={props.errors?.[0]} />
    </fieldset>
  );
}

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
