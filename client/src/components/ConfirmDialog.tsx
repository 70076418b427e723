import { createEffect, createUniqueId, type JSX, onCleanup } from "solid-js";
import { FormError } from "./Field";

/**
 * Asks before a step that cannot be undone. A modal <dialog> (showModal: focus moves in and stays, Escape backs out,
 * the page behind is inert), not window.confirm, so it reads in the app's language and says what will happen. Focus
 * starts on the way back, so a stray Enter does not confirm.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  /** What will happen, in plain words. */
  children: JSX.Element;
  confirmLabel: string;
  cancelLabel: string;
  busyLabel: string;
  busy: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  let dialog!: HTMLDialogElement;
  const id = createUniqueId();
  createEffect(() => {
    if (props.open && !dialog.open) dialog.showModal();
    else if (!props.open && dialog.open) dialog.close();
  });
  onCleanup(() => dialog.open && dialog.close());
  return (
    <dialog
      ref={dialog}
      class="confirm-dialog"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(e) => {
        // Escape: the state closes it (and not while the step is running)
        e.preventDefault();
        if (!props.busy) props.onCancel();
      }}
    >
      <h2 id={`${id}-title`}>{props.title}</h2>
      <div id={`${id}-body`}>{props.children}</div>
      <FormError message={props.error} />
      <div class="actions">
        <button type="button" class="danger" disabled={props.busy} aria-busy={props.busy} onClick={props.onConfirm}>
          {props.busy ? props.busyLabel : props.confirmLabel}
        </button>
        <button type="button" class="secondary" autofocus disabled={props.busy} onClick={props.onCancel}>
          {props.cancelLabel}
        </button>
      </div>
    </dialog>
  );
}
