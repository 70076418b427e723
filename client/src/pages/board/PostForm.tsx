import { For, onMount, untrack } from "solid-js";
import { BOARD_CATEGORIES, type BoardCategory } from "../../../../shared/schemas/board";
import { Field, FieldError, FormError } from "../../components/Field";
import { createSubmission } from "../../lib/forms";
import { t } from "../../lib/i18n";

export type PostFields = { category: BoardCategory; title: string; body: string };

/**
 * A post's category, title and body, with the server's validation messages under each field: the form that writes a
 * new post (BoardPage) and the author's edit of one (PostPage). `save` is the call; `onSaved` runs when it succeeded.
 */
export function PostForm(props: {
  heading: string;
  initial?: PostFields;
  submitLabel: string;
  pendingLabel: string;
  save: (fields: PostFields) => Promise<unknown>;
  onSaved: () => void;
  onCancel?: () => void;
}) {
  const submission = createSubmission({ title: {}, body: {} });
  // read once: a refetch of the post while its author types (after a comment below) must not overwrite the fields
  const initial = untrack(() => props.initial);
  let form: HTMLFormElement | undefined;
  // An edit opens in place of the post: the keyboard goes to its first field instead of being lost with the button.
  onMount(() => {
    if (initial) form?.querySelector<HTMLInputElement>("#field-title")?.focus();
  });
  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const formEl = event.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    const saved = await submission.run(() =>
      props.save({
        category: String(form.get("category")) as BoardCategory,
        title: String(form.get("title")),
        body: String(form.get("body")),
      }),
    );
    if (saved) {
      formEl.reset();
      props.onSaved();
    }
  }
  return (
    <form
      ref={form}
      class="card"
      onSubmit={submit}
      novalidate
      aria-labelledby="post-form-heading"
      data-testid="post-form"
    >
      <h2 id="post-form-heading">{props.heading}</h2>
      <div class="field">
        <label for="post-category">{t("board.categoryLabel")}</label>
        <select id="post-category" name="category">
          <For each={BOARD_CATEGORIES}>
            {(c) => (
              <option value={c} selected={initial?.category === c}>
                {t(`board.category.${c}`)}
              </option>
            )}
          </For>
        </select>
      </div>
      <Field
        label={t("board.titleLabel")}
        name="title"
        value={initial?.title ?? ""}
        errors={submission.fields().title}
      />
      <div class="field">
        <label for="field-body">{t("board.bodyLabel")}</label>
        <textarea
          id="field-body"
          name="body"
          rows={5}
          value={initial?.body ?? ""}
          aria-invalid={submission.fields().body ? true : undefined}
          aria-describedby={submission.fields().body ? "field-body-error" : undefined}
        />
        <FieldError id="field-body" message={submission.fields().body?.[0]} />
      </div>
      <FormError message={submission.message()} />
      <div class="actions">
        <button type="submit" disabled={submission.pending()} aria-busy={submission.pending()}>
          {submission.pending() ? props.pendingLabel : props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" class="secondary" onClick={() => props.onCancel?.()}>
            {t("board.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
